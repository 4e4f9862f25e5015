import type { Session } from '@chatml/protocol';
import { useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { Group, Panel } from 'react-resizable-panels';
import { useIsNarrowLayout } from '../app/narrow-layout';
import { focusPermissionWhenShown, focusShownPermission } from '../app/pending-permission';
import { useLocalValue, useServices, useTranscriptSource, useTranscriptValue } from '../app/services';
import { sessionDraftKey } from '../state/drafts';
import { Composer } from './Composer';
import { ChangesPanel } from './changes/ChangesPanel';
import { GitBar } from './git/GitBar';
import { PaneDivider, usePersistedLayout } from './Panes';
import { PermissionCallout } from './PermissionCallout';
import { SessionConversation } from './SessionConversation';
import { SessionHeader } from './SessionHeader';

/**
 * Centre and right panes for one session: header, conversation, pending approvals, composer, changes.
 * In a narrow window the changes pane, when open, takes the place of the conversation and composer
 * under the header instead of a column beside them. Only `SessionConversation` follows the
 * transcript frame by frame; this component reads a few values that change once or twice a turn,
 * so a streamed frame does not re-render the panes, header, git bar or composer.
 */
export function SessionView({ session, onArchive }: { session: Session; onArchive: () => void }) {
  const { api, preferences, unread, drafts } = useServices();
  const source = useTranscriptSource(session.id);
  const error = useTranscriptValue(source, (snapshot) => snapshot.error);
  const activeTurnId = useTranscriptValue(source, (snapshot) => snapshot.transcript.activeTurnId);
  const hasActiveTurn = activeTurnId !== undefined;
  const lastUserText = useTranscriptValue(source, (snapshot) => snapshot.transcript.lastUserText);
  const turnsEnded = useTranscriptValue(source, (snapshot) => snapshot.transcript.turnsEnded);
  // Commit, sync, merge, discard, restore: the worktree moved without a turn.
  const gitOperations = useTranscriptValue(source, (snapshot) => snapshot.transcript.gitOperations);
  const isChangesOpen = useLocalValue(preferences.isChangesOpen);
  const isNarrow = useIsNarrowLayout();
  const isChangesBeside = isChangesOpen && !isNarrow;
  const isChangesOver = isChangesOpen && isNarrow;
  const [followSignal, setFollowSignal] = useState(0);
  const layout = usePersistedLayout(
    'session',
    isChangesBeside ? ['conversation', 'changes'] : ['conversation'],
  );
  const bodyRef = useRef<HTMLDivElement>(null);
  const sheetRef = useRef<HTMLDivElement>(null);

  // The changes pane covering the conversation (or going away) must not leave the focus on a control
  // now hidden, or on the page: it moves into the pane, or back to the message box.
  const wasChangesOver = useRef(false);
  useEffect(() => {
    const active = document.activeElement;
    const isLost = active === null || active === document.body;
    if (isChangesOver && !wasChangesOver.current) {
      const isCovered = isLost || (bodyRef.current?.contains(active) && !sheetRef.current?.contains(active));
      if (isCovered) sheetRef.current?.focus();
    } else if (!isChangesOver && wasChangesOver.current && isLost) {
      document.querySelector<HTMLElement>('#composer-input:not([disabled])')?.focus();
    }
    wasChangesOver.current = isChangesOver;
  }, [isChangesOver]);

  // The tab and the browser's history name the session, and say when it waits for the user.
  useEffect(() => {
    const waiting = session.status === 'waiting_permission' ? '(waiting for you) ' : '';
    document.title = `${waiting}${session.name} — ChatML`;
  }, [session.name, session.status]);
  useEffect(
    () => () => {
      document.title = 'ChatML';
    },
    [],
  );

  // What the user has on screen counts as seen; a hidden tab sees nothing until it is shown again.
  // Marked when the session's own lastSeq moves (a turn ends, a question comes), when the tab is
  // shown again and when the user leaves the session — not on every streamed delta, which would
  // write localStorage and re-render the session list in every frame of a stream.
  const latest = useRef({ sessionLastSeq: session.lastSeq, source });
  latest.current = { sessionLastSeq: session.lastSeq, source };
  // biome-ignore lint/correctness/useExhaustiveDependencies: session.lastSeq moving is the trigger
  useEffect(() => {
    const markIfVisible = () => {
      if (document.visibilityState === 'hidden') return;
      const { sessionLastSeq, source } = latest.current;
      unread.markSeen(session.id, Math.max(sessionLastSeq, source.getSnapshot().transcript.lastSeq));
    };
    markIfVisible();
    document.addEventListener('visibilitychange', markIfVisible);
    return () => {
      markIfVisible();
      document.removeEventListener('visibilitychange', markIfVisible);
    };
  }, [unread, session.id, session.lastSeq]);

  const isArchived = session.status === 'archived';
  const isRunning = hasActiveTurn || session.status === 'running' || session.status === 'waiting_permission';

  const send = async (text: string) => {
    await api.sendMessage(session.id, text);
    setFollowSignal((signal) => signal + 1);
  };
  // The request is in the conversation the changes pane covers: uncover it, then focus its Allow.
  const showPermission = () => {
    flushSync(() => preferences.isChangesOpen.set(false));
    if (!focusShownPermission()) focusPermissionWhenShown();
  };
  const retry =
    lastUserText !== undefined && !isRunning && !isArchived ? () => void send(lastUserText) : undefined;
  const changes = (
    <ChangesPanel
      sessionId={session.id}
      isArchived={isArchived}
      sync={session.gitState?.sync ?? null}
      baseBranch={session.baseBranch}
      refreshSignal={`${turnsEnded}:${gitOperations}:${session.status}`}
    />
  );

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
          <GitBar session={session} isRunning={isRunning} refreshSignal={`${turnsEnded}:${gitOperations}`} />
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          {session.status === 'error' && session.statusReason && (
            <p className="notice is-error">{session.statusReason}</p>
          )}
          {/* Covered, the conversation stays laid out (hidden, not removed): its scroll position
              and the message being typed are there when the changes pane closes. */}
          <div ref={bodyRef} className={isChangesOver ? 'session-body is-covered' : 'session-body'}>
            <SessionConversation
              source={source}
              sessionId={session.id}
              worktreePath={session.worktreePath}
              statusReason={session.statusReason}
              onRetry={retry}
              followSignal={followSignal}
            />
            <Composer
              isRunning={isRunning}
              isDisabled={isArchived}
              onSend={send}
              // The turn on screen, not whichever runs when the request lands: pressed as a turn
              // ends, Stop must not stop the queued turn that starts right after it.
              onStop={() => api.interrupt(session.id, activeTurnId)}
              loadFiles={async () => (await api.listFiles(session.id)).files}
              draft={{ store: drafts, key: sessionDraftKey(session.workspaceId, session.id) }}
            />
            {isChangesOver && (
              <div ref={sheetRef} className="changes-sheet" tabIndex={-1} data-testid="changes-sheet">
                {session.status === 'waiting_permission' && <PermissionCallout onShow={showPermission} />}
                {changes}
              </div>
            )}
          </div>
        </section>
      </Panel>
      {isChangesBeside && (
        <>
          <PaneDivider label="Resize the changes pane" />
          <Panel id="changes" minSize="20%" defaultSize="38%" className="pane">
            {changes}
          </Panel>
        </>
      )}
    </Group>
  );
}
