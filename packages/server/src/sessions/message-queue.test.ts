import type { NewSessionEvent } from '@chatml/protocol';
import { describe, expect, it } from 'vitest';
import { MessageQueue } from './message-queue.js';

const message = (messageId: string) => ({ messageId, text: `text of ${messageId}` });

describe('MessageQueue', () => {
  it('drops one message, logged with its reason, and keeps the others in order', () => {
    const published: NewSessionEvent[] = [];
    const queue = new MessageQueue((event) => published.push(event));
    queue.push(message('m1'), message('m2'), message('m3'));

    expect(queue.drop('m2', 'Cancelled by you.')).toBe(true);
    expect(queue.drop('m2', 'Cancelled by you.')).toBe(false);
    expect(queue.drop('unknown', 'Cancelled by you.')).toBe(false);
    expect(published).toEqual([
      { type: 'messages_dropped', payload: { messageIds: ['m2'], reason: 'Cancelled by you.' } },
    ]);
    expect([queue.shift()?.messageId, queue.shift()?.messageId, queue.length]).toEqual(['m1', 'm3', 0]);
  });

  it('keeps a message it could not log as dropped: the log would still run it after a restart', () => {
    const queue = new MessageQueue(() => {
      throw new Error('disk full');
    });
    queue.push(message('m1'));
    expect(() => queue.drop('m1', 'Cancelled by you.')).toThrow('disk full');
    expect(queue.length).toBe(1);
  });

  it('drops everything at once, in one event, and nothing when empty', () => {
    const published: NewSessionEvent[] = [];
    const queue = new MessageQueue((event) => published.push(event));
    queue.dropAll('archived');
    queue.push(message('m1'), message('m2'));
    queue.dropAll('archived');
    expect(published).toEqual([
      { type: 'messages_dropped', payload: { messageIds: ['m1', 'm2'], reason: 'archived' } },
    ]);
    expect(queue.length).toBe(0);
  });
});
