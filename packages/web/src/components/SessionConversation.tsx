import { useCallback, useMemo } from 'react';
import {
  type TranscriptSource,
  useConnectionState,
  useServices,
  useTranscriptSnapshot,
} from '../app/services';
import type { PermissionItem, QueuedMessage, Transcript } from '../state/transcript-types';
import { Conversation } from './conversation/Conversation';
import { WorktreeContext } from './conversation/worktree-context';
import { formatDuration } from './format';
import { type PermissionDecision, PermissionPrompt } from './PermissionPrompt';
import { useNow } from './use-now';

export interface SessionConversationProps {
  source: TranscriptSource;
  sessionId: string;
  worktreePath: string;
  statusReason: string | null;
  /** Re-send the last message; offered on the latest retryable failure. */
  onRetry: (() => void) | undefined;
  /** Changes whenever the view should jump to the latest (the user sent a message). */
  followSignal: number;
}

/**
 * The parts of a session that change with every streamed frame: the conversation, the pending
 * approvals and the turn's activity line. The approvals and the activity line follow the whole
 * transcript here (the conversation follows it row by row itself), so a frame re-renders them and
 * not the session's header, git bar, composer or panes around them.
 */
export function SessionConversation({
  source,
  sessionId,
  worktreePath,
  statusReason,
  onRetry,
  followSignal,
}: SessionConversationProps) {
  const { api } = useServices();
  const { transcript } = useTranscriptSnapshot(source);
  const pendingPermissions = useMemo(
    () =>
      transcript.items.filter(
        (item): item is PermissionItem => item.kind === 'permission' && item.state === 'pending',
      ),
    [transcript.items],
  );
  const decide = (requestId: string) => (decision: PermissionDecision) =>
    api.decidePermission(sessionId, requestId, decision);
  // The same function every frame, so a streamed frame does not re-render the conversation list.
  const cancelQueued = useCallback(
    (message: QueuedMessage) => api.cancelMessage(sessionId, message.messageId),
    [api, sessionId],
  );

  return (
    <>
      <WorktreeContext.Provider value={worktreePath}>
        <Conversation
          key={sessionId}
          source={source}
          onRetry={onRetry}
          followSignal={followSignal}
          onCancelQueued={cancelQueued}
        />
        {pendingPermissions.length > 0 && (
          <div className="permission-dock">
            {pendingPermissions.map((item) => (
              <PermissionPrompt key={item.key} item={item} onDecide={decide(item.requestId)} />
            ))}
          </div>
        )}
      </WorktreeContext.Provider>
      <TurnActivity
        transcript={transcript}
        statusReason={statusReason}
        isWaitingForApproval={pendingPermissions.length > 0}
      />
    </>
  );
}

/**
 * While a turn runs: whether the agent is still starting (nothing since the message), working or
 * waiting for the user to answer a permission request, and for how long — or why it waits (a queue
 * for a free agent slot).
 */
function TurnActivity({
  transcript,
  statusReason,
  isWaitingForApproval,
}: {
  transcript: Transcript;
  statusReason: string | null;
  isWaitingForApproval: boolean;
}) {
  const isActive = transcript.activeTurnId !== undefined;
  const connection = useConnectionState();
  // Cut off from the backend, this tab does not know what the agent is doing: no ticking clock
  // that suggests it does (the banner says why; on reconnect the missed events replay).
  const isCutOff = connection === 'reconnecting' || connection === 'offline';
  const now = useNow(1000, isActive && !isCutOff);
  if (!isActive) return null;
  if (isCutOff)
    return (
      <div className="turn-activity is-cut-off" role="status" data-testid="turn-activity">
        <span>Not connected — the agent’s progress shows again once the backend is back.</span>
      </div>
    );
  const lastUser = transcript.items.findLast((item) => item.kind === 'user');
  const isStarting = transcript.items.at(-1)?.kind === 'user';
  const elapsed = lastUser ? formatDuration(Math.max(0, now - lastUser.ts)) : undefined;
  // The same state the session list shows as "waiting for you": nothing moves until the user answers.
  const activity = isWaitingForApproval
    ? 'Waiting for your approval'
    : (statusReason ?? (isStarting ? 'Starting the agent…' : 'Working…'));
  return (
    <div
      className={isWaitingForApproval ? 'turn-activity is-waiting' : 'turn-activity'}
      role="status"
      data-testid="turn-activity"
    >
      {!isWaitingForApproval && <span className="spinner" aria-hidden="true" />}
      <span>{activity}</span>
      {/* The ticking time stays out of the live region: it would be read out every second. */}
      {elapsed && (
        <span className="muted" aria-hidden="true">
          {elapsed}
        </span>
      )}
    </div>
  );
}
