// @vitest-environment happy-dom
import '../test/dom';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { type Services, useCatalog } from '../app/services';
import { createPreferences } from '../state/preferences';
import { TranscriptStore } from '../state/transcript-store';
import { UnreadTracker } from '../state/unread';
import { EventLog } from '../test/event-log';
import { makeSession, memoryStorage } from '../test/sessions';
import { commitList, ok, renderWithBackend } from './git/test-backend';
import { SessionView } from './SessionView';

/** The session as the app shows it: read from the catalog, so a `session_updated` re-renders it. */
function ShownSession({ id }: { id: string }) {
  const session = useCatalog().catalog.sessions.get(id);
  return session ? <SessionView session={session} onArchive={() => undefined} /> : null;
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

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
