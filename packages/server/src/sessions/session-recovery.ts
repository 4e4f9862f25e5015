import { parseEventPayload } from '@chatml/protocol';
import { worktreeProblem } from '../git/worktree-presence.js';
import type { Hub } from '../hub/hub.js';
import type { EventStore } from '../store/event-store.js';
import type { SessionRecord, SessionStore } from '../store/session-store.js';

export interface RecoveredSession {
  record: SessionRecord;
  /** Messages accepted before the restart that never started; they run now, in order. */
  unstarted: { messageId: string; text: string }[];
}

/**
 * Brings a session back after the backend (re)starts. Nothing is left `running`: a turn the crash
 * cut short is closed in the log with an event that says so, unanswered permission prompts are
 * resolved as denied, and accepted-but-unstarted messages are handed back to run.
 */
export function recoverSession(
  record: SessionRecord,
  deps: { hub: Hub; events: EventStore; sessions: SessionStore },
): RecoveredSession {
  const { hub, events, sessions } = deps;
  const history = events.ofTypes(record.id, [
    'user_message',
    'turn_started',
    'messages_dropped',
    'turn_ended',
    'permission_requested',
    'permission_resolved',
  ]);
  /** Messages that started a turn, or were dropped from the queue: not to run again. */
  const started = new Set<string>();
  const openPermissions = new Set<string>();
  const messages: { messageId: string; text: string }[] = [];
  // In order of start; normally only the last can be open, but a turn whose end could not be stored
  // (a full disk) is open too, and every turn must end exactly once.
  const openTurns = new Set<string>();
  for (const event of history) {
    if (event.type === 'user_message') {
      const payload = parseEventPayload('user_message', event.payload);
      messages.push({ messageId: payload.messageId, text: payload.text });
    } else if (event.type === 'messages_dropped') {
      for (const messageId of parseEventPayload('messages_dropped', event.payload).messageIds)
        started.add(messageId);
    } else if (event.type === 'turn_started') {
      const payload = parseEventPayload('turn_started', event.payload);
      started.add(payload.messageId);
      openTurns.add(payload.turnId);
    } else if (event.type === 'turn_ended') {
      openTurns.delete(parseEventPayload('turn_ended', event.payload).turnId);
    } else if (event.type === 'permission_requested') {
      openPermissions.add(parseEventPayload('permission_requested', event.payload).requestId);
    } else if (event.type === 'permission_resolved') {
      openPermissions.delete(parseEventPayload('permission_resolved', event.payload).requestId);
    }
  }
  for (const requestId of openPermissions) {
    hub.publish(record.id, {
      type: 'permission_resolved',
      payload: { requestId, allow: false, message: 'ChatML restarted before an answer.', by: 'system' },
    });
  }
  const lastTurnId = [...openTurns].at(-1);
  for (const turnId of openTurns) {
    hub.publish(record.id, {
      type: 'turn_ended',
      payload: {
        turnId,
        outcome: 'interrupted',
        reason:
          turnId === lastTurnId
            ? 'ChatML stopped while this turn was running. Send a message to continue where it left off.'
            : 'This turn’s end was never recorded (ChatML could not store it); it is closed now.',
        retryable: true,
      },
    });
  }

  let status = record.status;
  let reason = record.statusReason;
  const problem = worktreeProblem(record.worktreePath);
  if (problem) {
    status = 'error';
    reason = `${problem} Its branch ${record.branch} is intact.`;
  } else if (status === 'running' || status === 'waiting_permission' || status === 'creating') {
    status = 'idle';
    reason = null;
  }
  let updated = record;
  if (status !== record.status || reason !== record.statusReason) {
    updated = sessions.update(record.id, { status, statusReason: reason });
    if (status !== record.status)
      hub.publish(record.id, { type: 'status_changed', payload: { status, reason: reason ?? undefined } });
  }
  return { record: updated, unstarted: messages.filter((message) => !started.has(message.messageId)) };
}
