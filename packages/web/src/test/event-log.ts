import type { SessionEventPayload, SessionEventType, StoredEvent } from '@chatml/protocol';

/** Builds a session event log for tests: seq counts up from 1, ts advances one second per event. */
export class EventLog {
  readonly events: StoredEvent[] = [];
  private clock = 1_700_000_000_000;

  add<T extends SessionEventType>(type: T, payload: SessionEventPayload<T>): StoredEvent {
    this.clock += 1000;
    const event: StoredEvent = { seq: this.events.length + 1, type, ts: this.clock, payload };
    this.events.push(event);
    return event;
  }

  /** A complete turn: user message, streamed text in two deltas, the confirmed message, the end. */
  addTextTurn(turnId: string, userText: string, reply: [string, string]): void {
    const messageId = `msg_${turnId}`;
    this.add('user_message', { messageId: `user_${turnId}`, text: userText, queued: false });
    this.add('turn_started', { turnId, messageId: `user_${turnId}` });
    this.add('stream_delta', { turnId, messageId, blockIndex: 0, kind: 'text', text: reply[0] });
    this.add('stream_delta', { turnId, messageId, blockIndex: 0, kind: 'text', text: reply[1] });
    this.add('assistant_message', { turnId, messageId, content: [{ type: 'text', text: reply.join('') }] });
    this.add('turn_ended', { turnId, outcome: 'completed', durationMs: 1200, costUsd: 0.01 });
  }

  /** A turn whose Bash call asked for permission (request `r1`), not yet answered. */
  static askedPermission(): EventLog {
    const log = new EventLog();
    log.add('user_message', { messageId: 'u1', text: 'clean up', queued: false });
    log.add('turn_started', { turnId: 't1', messageId: 'u1' });
    log.add('tool_use', { turnId: 't1', id: 'tu1', tool: 'Bash', input: { command: 'rm x' } });
    log.add('permission_requested', {
      turnId: 't1',
      requestId: 'r1',
      tool: 'Bash',
      input: { command: 'rm x' },
    });
    return log;
  }
}
