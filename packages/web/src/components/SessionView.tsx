import type { Session } from '@chatml/protocol';
import { useEffect, useRef, useState } from 'react';
import { Group, Panel } from 'react-resizable-panels';
import { useLocalValue, useServices, useTranscriptSource, useTranscriptValue } from '../app/services';
import { Composer } from './Composer';
import { ChangesPanel } from './changes/ChangesPanel';
import { GitBar } from './git/GitBar';
import { PaneDivider, usePersistedLayout } from './Panes';
import { SessionConversation } from './SessionConversation';
import { SessionHeader } from './SessionHeader';

/**
 * Centre and right panes for one session: header, conversation, pending approvals, composer, changes.
 * Only `SessionConversation` follows the transcript frame by frame; this component reads a few
 * values that change once or twice a turn, so a streamed frame does not re-render the panes,
 * header, git bar or composer.
 */
export function SessionView({ session, onArchive }: { session: Session; onArchive: () => void }) {
  const { api, preferences, unread } = useServices();
  const source = useTranscriptSource(session.id);
  const error = useTranscriptValue(source, (snapshot) => snapshot.error);
  const activeTurnId = useTranscriptValue(source, (snapshot) => snapshot.transcript.activeTurnId);
  const hasActiveTurn = activeTurnId !== undefined;
  const lastUserText = useTranscriptValue(source, (snapshot) => snapshot.transcript.lastUserText);
  const turnsEnded = useTranscriptValue(source, (snapshot) => snapshot.transcript.turnsEnded);
  // Commit, sync, merge, discard, restore: the worktree moved without a turn.
  const gitOperations = useTranscriptValue(source, (snapshot) => snapshot.transcript.gitOperations);
  const isChangesOpen = useLocalValue(preferences.isChangesOpen);
  const [followSignal, setFollowSignal] = useState(0);
  const layout = usePersistedLayout(
    'session',
    isChangesOpen ? ['conversation', 'changes'] : ['conversation'],
  );

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
  const retry =
    lastUserText !== undefined && !isRunning && !isArchived ? () => void send(lastUserText) : undefined;

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
          />
        </section>
      </Panel>
      {isChangesOpen && (
        <>
          <PaneDivider label="Resize the changes pane" />
          <Panel id="changes" minSize="20%" defaultSize="38%" className="pane">
            <ChangesPanel
              sessionId={session.id}
              isArchived={isArchived}
              sync={session.gitState?.sync ?? null}
              baseBranch={session.baseBranch}
              refreshSignal={`${turnsEnded}:${gitOperations}:${session.status}`}
            />
          </Panel>
        </>
      )}
    </Group>
  );
}
