import type { NewSessionEvent } from '@chatml/protocol';
import type { QueuedMessage } from './session-context.js';

/**
 * A session's accepted messages that have not started, in order. A message leaves it by starting a
 * turn (`shift`) or by being dropped; a drop is logged (`messages_dropped`), so neither a restore
 * nor a restart runs it later.
 */
export class MessageQueue {
  private messages: QueuedMessage[] = [];

  constructor(private readonly publish: (event: NewSessionEvent) => void) {}

  get length(): number {
    return this.messages.length;
  }

  push(...messages: QueuedMessage[]): void {
    this.messages.push(...messages);
  }

  shift(): QueuedMessage | undefined {
    return this.messages.shift();
  }

  /**
   * Drop one message; false when it is not queued (it started, was dropped, or never was). Logged
   * first: if the log cannot be written, the message stays queued, as the log says it is.
   */
  drop(messageId: string, reason: string): boolean {
    if (!this.messages.some((message) => message.messageId === messageId)) return false;
    this.publish({ type: 'messages_dropped', payload: { messageIds: [messageId], reason } });
    this.messages = this.messages.filter((message) => message.messageId !== messageId);
    return true;
  }

  /** Everything queued, taken out without a trace in the log: the caller queues it elsewhere. */
  takeAll(): QueuedMessage[] {
    return this.messages.splice(0);
  }

  /** For an archive: its worktree is gone by now, so nothing may stay queued even if logging fails. */
  dropAll(reason: string): void {
    const dropped = this.messages;
    this.messages = [];
    if (dropped.length === 0) return;
    const messageIds = dropped.map((message) => message.messageId);
    this.publish({ type: 'messages_dropped', payload: { messageIds, reason } });
  }
}
