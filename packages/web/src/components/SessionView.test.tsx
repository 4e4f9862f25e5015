// @vitest-environment happy-dom
import '../test/dom';
import type { Session } from '@chatml/protocol';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { type Services, useCatalog } from '../app/services';
import { createPreferences } from '../state/preferences';
import { TranscriptStore } from '../state/transcript-store';
import { UnreadTracker } from '../state/unread';
import { EventLog } from '../test/event-log';
import { makeSession, memoryStorage } from '../test/sessions';
import { FakeViewport } from '../test/viewport';
import { commitList, ok, renderWithBackend } from './git/test-backend';
import { SessionView } from './SessionView';

/** The session as the app shows it: read from the catalog, so a `session_updated` re-renders it. */
function ShownSession({ id }: { id: string }) {
  const session = useCatalog().catalog.sessions.get(id);
  return session ? <SessionView session={session} onArchive={() => undefined} /> : null;
}

let stop: (() => void) | undefined;
let viewport: FakeViewport | undefined;
afterEach(() => {
  stop?.();
  viewport?.uninstall();
  viewport = undefined;
});

/** Session `session` with the transcript `log`, its changes pane open or not, in a window this wide. */
function renderSessionView(
  log: EventLog,
  session: Session,
  options: { width: number; isChangesOpen: boolean },
) {
  viewport = new FakeViewport(options.width).install();
  const store = new TranscriptStore(() => () => undefined);
  for (const event of log.events) store.onEvent(event);
  store.onCaughtUp();
  const transcripts = { open: () => ({ store, release: () => {} }) } as unknown as Services['transcripts'];
  const preferences = createPreferences(memoryStorage());
  preferences.isChangesOpen.set(options.isChangesOpen);
  const backend = renderWithBackend(
    <ShownSession id={session.id} />,
    {
      'GET /sessions/s1/commits': () => ok(commitList()),
      'GET /sessions/s1/diff': () => ok({ mergeBase: 'b'.repeat(40), files: [] }),
    },
    { transcripts, preferences, unread: new UnreadTracker(memoryStorage()) },
  );
  stop = backend.stop;
  act(() => backend.catalog.addSession(session));
  return { ...backend, preferences };
}

describe('a permission request behind the changes pane (narrow window)', () => {
  const waiting = makeSession('s1', { status: 'waiting_permission' });

  it('is announced on the pane, and Show brings back the conversation with the focus on the request', async () => {
    const { preferences } = renderSessionView(EventLog.askedPermission(), waiting, {
      width: 600,
      isChangesOpen: true,
    });
    const callout = await screen.findByRole('alert');
    expect(callout.textContent).toContain('Claude is asking for permission');
    expect(screen.getByTestId('changes-sheet').contains(callout)).toBe(true);

    fireEvent.click(within(callout).getByRole('button', { name: 'Show' }));
    expect(screen.queryByTestId('changes-sheet')).toBeNull();
    expect(preferences.isChangesOpen.get()).toBe(false);
    expect(document.activeElement).toBe(screen.getByTestId('permission-allow'));
  });

  it('is not announced when nothing waits for an answer, nor when the pane is beside the conversation', async () => {
    renderSessionView(new EventLog(), makeSession('s1', { status: 'running' }), {
      width: 600,
      isChangesOpen: true,
    });
    await screen.findByTestId('changes-sheet');
    expect(screen.queryByTestId('permission-callout')).toBeNull();
    stop?.();
    viewport?.uninstall();
    cleanup();

    renderSessionView(EventLog.askedPermission(), waiting, { width: 1400, isChangesOpen: true });
    await screen.findByTestId('permission-allow');
    expect(screen.queryByTestId('permission-callout')).toBeNull();
  });
});

const failure = 'API Error: 400 the fake model refuses';
const waitingNote = 'Queued: waiting for a free agent slot (position 1).';

describe('a session in error waiting for an agent slot', () => {
  it('drops the waiting note once its message is cancelled, and says why the message was not sent', async () => {
    const log = new EventLog();
    log.add('user_message', { messageId: 'u1', text: 'fail this turn', queued: false });
    log.add('turn_started', { turnId: 't1', messageId: 'u1' });
    log.add('turn_ended', { turnId: 't1', outcome: 'failed', reason: failure, retryable: false });
    log.add('status_changed', { status: 'error', reason: failure });
    log.add('user_message', { messageId: 'u2', text: 'try something else', queued: true });
    const store = new TranscriptStore(() => () => undefined);
    for (const event of log.events) store.onEvent(event);
    store.onCaughtUp();
    const transcripts = { open: () => ({ store, release: () => {} }) } as unknown as Services['transcripts'];
    const backend = renderWithBackend(
      <ShownSession id="s1" />,
      {
        'GET /sessions/s1/commits': () => ok(commitList()),
        'DELETE /sessions/s1/messages/u2': () => ok({ cancelled: true }),
      },
      {
        transcripts,
        preferences: createPreferences(memoryStorage()),
        unread: new UnreadTracker(memoryStorage()),
      },
    );
    stop = backend.stop;
    const waiting = makeSession('s1', { status: 'error', statusReason: waitingNote, queuedMessages: 1 });
    act(() => backend.catalog.addSession(waiting));
    expect(await screen.findByText(waitingNote)).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Cancel queued message: try something else' }));
    await waitFor(() => expect(backend.callsTo('DELETE', '/sessions/s1/messages/u2')).toHaveLength(1));
    // What the backend sends next: the drop, then the session with the error's reason back.
    act(() => {
      store.onEvent(log.add('messages_dropped', { messageIds: ['u2'], reason: 'Cancelled by you.' }));
      store.flush();
      backend.catalog.addSession({ ...waiting, statusReason: failure, queuedMessages: 0 });
    });
    expect(screen.queryByText(waitingNote)).toBeNull();
    expect(screen.queryByTestId('queued-message')).toBeNull();
    expect(screen.getByText('Not sent: “try something else”. Cancelled by you.')).toBeTruthy();
    expect(document.querySelector('.session-view > .notice.is-error')?.textContent).toBe(failure);
  });
});
