// @vitest-environment happy-dom
import '../../test/dom';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TranscriptStore } from '../../state/transcript-store';
import { EventLog } from '../../test/event-log';
import { deferred, fail, ok, renderWithBackend } from '../git/test-backend';
import { SessionConversation } from '../SessionConversation';

const cancelPath = '/sessions/s1/messages/u2';

/** Session s1 as a tab sees it: a turn running and, behind it, a message waiting (`u2`). */
function renderQueued(routes: Parameters<typeof renderWithBackend>[1]) {
  const store = new TranscriptStore(() => () => undefined);
  const log = new EventLog();
  log.add('user_message', { messageId: 'u1', text: 'Add a readme', queued: false });
  log.add('turn_started', { turnId: 't1', messageId: 'u1' });
  log.add('user_message', { messageId: 'u2', text: 'then add tests\nfor the parser', queued: true });
  for (const event of log.events) store.onEvent(event);
  store.onCaughtUp();
  const backend = renderWithBackend(
    <SessionConversation
      source={store}
      sessionId="s1"
      worktreePath="/repo"
      statusReason={null}
      onRetry={undefined}
      followSignal={0}
    />,
    routes,
  );
  const push = (...event: Parameters<EventLog['add']>) =>
    act(() => {
      store.onEvent(log.add(...event));
      store.flush();
    });
  return { ...backend, push };
}

const cancelButton = () =>
  screen.getByRole('button', { name: 'Cancel queued message: then add tests for the parser' });

describe('cancelling a queued message', () => {
  it('asks the backend, and the bubble turns into "Not sent" when the drop arrives', async () => {
    const answer = deferred<{ status: number; body?: unknown }>();
    const { callsTo, push } = renderQueued({ [`DELETE ${cancelPath}`]: () => answer.promise });
    fireEvent.click(cancelButton());
    expect(callsTo('DELETE', cancelPath)).toHaveLength(1);
    await waitFor(() => expect(cancelButton().textContent).toBe('Cancelling…'));
    expect(cancelButton().getAttribute('aria-disabled')).toBe('true');
    // A second click while it is on its way asks nothing more.
    fireEvent.click(cancelButton());
    expect(callsTo('DELETE', cancelPath)).toHaveLength(1);

    answer.resolve(ok({ cancelled: true }));
    const messageBox = document.body.appendChild(document.createElement('textarea'));
    messageBox.id = 'composer-input';
    cancelButton().focus();
    push('messages_dropped', { messageIds: ['u2'], reason: 'Cancelled by you.' });
    expect(screen.queryByTestId('queued-message')).toBeNull();
    // The focus was on the button that went away: it goes to the message box, not the page.
    expect(document.activeElement).toBe(messageBox);
    messageBox.remove();
    expect(screen.getByText('Not sent: “then add tests for the parser”. Cancelled by you.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says plainly when the message started first, and carries on', async () => {
    const { callsTo, push } = renderQueued({
      [`DELETE ${cancelPath}`]: () =>
        fail(409, 'message_started', 'This message has already started: the agent is working on it.'),
    });
    fireEvent.click(cancelButton());
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(
      'Could not cancel “then add tests for the parser”: This message has already started: the agent is working on it.',
    );
    expect(callsTo('DELETE', cancelPath)).toHaveLength(1);
    // Still queued here (its start has not arrived yet): it can be tried again.
    expect(cancelButton().textContent).toBe('Cancel');
    expect(cancelButton().hasAttribute('aria-disabled')).toBe(false);

    push('turn_ended', { turnId: 't1', outcome: 'completed' });
    push('turn_started', { turnId: 't2', messageId: 'u2' });
    expect(screen.queryByTestId('queued-message')).toBeNull();
    expect(screen.getAllByTestId('user-message').map((item) => item.textContent)).toEqual([
      'Add a readme',
      'then add tests\nfor the parser',
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
