import { parseEventPayload } from '@chatml/protocol';
import { MessageStartedError, NotFoundError } from '../errors.js';
import type { EventStore } from '../store/event-store.js';
import type { SessionController } from './session-controller.js';

/**
 * Take back a message the user sent while the agent was busy, if its turn has not started. One that
 * is no longer queued is looked up in the log: one already dropped (cancelled before, or by an
 * archive) counts as cancelled, since it will not run either way; one that ran is refused.
 */
export function cancelMessage(controller: SessionController, events: EventStore, messageId: string): void {
  const outcome = controller.cancelMessage(messageId);
  if (outcome === 'cancelled') return;
  if (outcome === 'running') {
    throw new MessageStartedError(
      'This message has already started: the agent is working on it. Use Stop to end its turn.',
    );
  }
  const sessionId = controller.session.id;
  let isKnown = false;
  for (const event of events.ofTypes(sessionId, ['user_message', 'messages_dropped'])) {
    if (event.type === 'messages_dropped') {
      if (parseEventPayload('messages_dropped', event.payload).messageIds.includes(messageId)) return;
    } else if (parseEventPayload('user_message', event.payload).messageId === messageId) {
      isKnown = true;
    }
  }
  if (!isKnown) throw new NotFoundError('Message', messageId);
  throw new MessageStartedError('This message has already run, so there is nothing to cancel.');
}
