import type { Session } from '@chatml/protocol';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Group, Panel } from 'react-resizable-panels';
import { useLocalValue, useServices, useSessionTranscript } from '../app/services';
import type { PermissionItem, Transcript } from '../state/transcript-types';
import { Composer } from './Composer';
import { ChangesPanel } from './changes/ChangesPanel';
import { Conversation } from './conversation/Conversation';
import { WorktreeContext } from './conversation/worktree-context';
import { formatDuration } from './format';
import { GitBar } from './git/GitBar';
import { PaneDivider, usePersistedLayout } from './Panes';
import { type PermissionDecision, PermissionPrompt } from './PermissionPrompt';
import { SessionHeader } from './SessionHeader';
import { useNow } from './use-now';

/** Centre and right panes for one session: header, conversation, pending approvals, composer, changes. */
export function SessionView({ session, onArchive }: { session: Session; onArchive: () => void }) {
  const { api, preferences, unread } = useServices();
  const { transcript, isCaughtUp, error } = useSessionTranscript(session.id);
  const isChangesOpen = useLocalValue(preferences.isChangesOpen);
  const [followSignal, setFollowSignal] = useState(0);
  const layout = usePersistedLayout(
    'session',
    isChangesOpen ? ['conversation', 'changes'] : ['conversation'],
  );

  // What the user has on screen counts as seen; a hidden tab sees nothing until it is shown again.
  // Marked when the session's own lastSeq moves (a turn ends, a question comes), when the tab is
  // shown again and when the user leaves the session — not on every streamed delta, which would
  // write localStorage and re-render the session list in every frame of a stream.
  const seenSeq = useRef(0);
  seenSeq.current = Math.max(session.lastSeq, transcript.lastSeq);
  // biome-ignore lint/correctness/useExhaustiveDependencies: session.lastSeq moving is the trigger
  useEffect(() => {
    const markIfVisible = () => {
      if (document.visibilityState !== 'hidden') unread.markSeen(session.id, seenSeq.current);
    };
    markIfVisible();
    document.addEventListener('visibilitychange', markIfVisible);
    return () => {
      markIfVisible();
      document.removeEventListener('visibilitychange', markIfVisible);
    };
  }, [unread, session.id, session.lastSeq]);

  const pendingPermissions = useMemo(
    () =>
      transcript.items.filter(
        (item): item is PermissionItem => item.kind === 'permission' && item.state === 'pending',
      ),
    [transcript.items],
  );
  const isArchived = session.status === 'archived';
  const isRunning =
    transcript.activeTurnId !== undefined ||
    session.status === 'running' ||
    session.status === 'waiting_permission';

  const send = async (text: string) => {
    await api.sendMessage(session.id, text);
    setFollowSignal((signal) => signal + 1);
  };
  const lastUserText = transcript.lastUserText;
  const retry =
    lastUserText !== undefined && !isRunning && !isArchived ? () => void send(lastUserText) : undefined;
  const decide = (requestId: string) => (decision: PermissionDecision) =>
    api.decidePermission(session.id, requestId, decision);

  return (
    <Group
      className="session-layout"
      orientation="horizontal"
      defaultLayout={layout.defaultLayout}
      onLayoutChanged={layout.onLayoutChanged}
    >
      <Panel id="conversation" minSize="30%" className="pane">
        <section className="session-view" aria-label={`Session ${session.name}`}>
          <SessionHeader
            session={session}
            isChangesOpen={isChangesOpen}
            onToggleChanges={() => preferences.isChangesOpen.set(!isChangesOpen)}
            onArchive={onArchive}
          />
          <GitBar session={session} isRunning={isRunning} />
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          {session.status === 'error' && session.statusReason && (
            <p className="notice is-error">{session.statusReason}</p>
          )}
          <WorktreeContext.Provider value={session.worktreePath}>
            <Conversation
              key={session.id}
              transcript={transcript}
              isLoading={!isCaughtUp}
              onRetry={retry}
              followSignal={followSignal}
            />
            {pendingPermissions.length > 0 && (
              <div className="permission-dock">
                {pendingPermissions.map((item) => (
                  <PermissionPrompt key={item.key} item={item} onDecide={decide(item.requestId)} />
                ))}
              </div>
            )}
          </WorktreeContext.Provider>
          <TurnActivity transcript={transcript} statusReason={session.statusReason} />
          <Composer
            isRunning={isRunning}
            isDisabled={isArchived}
            onSend={send}
            onStop={() => api.interrupt(session.id)}
            loadFiles={async () => (await api.listFiles(session.id)).files}
          />
        </section>
      </Panel>
      {isChangesOpen && (
        <>
          <PaneDivider label="Resize the changes pane" />
          <Panel id="changes" minSize="20%" defaultSize="38%" className="pane">
            <ChangesPanel sessionId={session.id} refreshSignal={transcript.turnsEnded} />
          </Panel>
        </>
      )}
    </Group>
  );
}

/**
 * While a turn runs: whether the agent is still starting (nothing since the message) or working,
 * and for how long — or why it waits (a queue for a free agent slot).
 */
function TurnActivity({ transcript, statusReason }: { transcript: Transcript; statusReason: string | null }) {
  const isActive = transcript.activeTurnId !== undefined;
  const now = useNow(1000, isActive);
  if (!isActive) return null;
  const lastUser = transcript.items.findLast((item) => item.kind === 'user');
  const isStarting = transcript.items.at(-1)?.kind === 'user';
  const elapsed = lastUser ? formatDuration(Math.max(0, now - lastUser.ts)) : undefined;
  return (
    <div className="turn-activity" role="status" data-testid="turn-activity">
      <span className="spinner" aria-hidden="true" />
      <span>{statusReason ?? (isStarting ? 'Starting the agent…' : 'Working…')}</span>
      {elapsed && <span className="muted">{elapsed}</span>}
    </div>
  );
}
