import type { StoredEvent } from '@chatml/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeSocketFactory } from '../test/fake-web-socket';
import { backoffDelay } from './backoff';
import { WsClient } from './ws-client';

function textEvent(seq: number, text = `t${seq}`): StoredEvent {
  const payload = { turnId: 't1', messageId: 'm1', blockIndex: 0, kind: 'text', text };
  return { seq, type: 'stream_delta', ts: seq, payload };
}

function setup(options: { offlineAfterAttempts?: number } = {}) {
  const factory = fakeSocketFactory();
  const logger = { warn: vi.fn(), error: vi.fn() };
  const client = new WsClient({
    url: 'ws://127.0.0.1:4000/ws',
    token: 'secret',
    createSocket: factory.create,
    initialBackoffMs: 100,
    maxBackoffMs: 1000,
    random: () => 1,
    heartbeatMs: 0,
    logger,
    ...options,
  });
  const received: number[] = [];
  const watcher = { onEvent: (event: StoredEvent) => received.push(event.seq), onCaughtUp: vi.fn() };
  return { factory, client, logger, received, watcher };
}

describe('WsClient', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('offers the protocol and token subprotocols and subscribes watched sessions on open', () => {
    const { factory, client, watcher } = setup();
    client.watch('ses_1', 5, watcher);
    client.start();
    const socket = factory.latest();
    expect(socket.protocols).toEqual(['chatml.v1', 'chatml.token.secret']);
    expect(client.getState()).toBe('connecting');
    socket.open();
    expect(client.getState()).toBe('connected');
    expect(socket.sent).toEqual([{ type: 'subscribe', sessionId: 'ses_1', afterSeq: 5 }]);
  });

  it('reconnects with backoff and resubscribes from the last seq it delivered', () => {
    const { factory, client, received, watcher } = setup();
    client.watch('ses_1', 0, watcher);
    client.start();
    factory.latest().open();
    for (const seq of [1, 2, 3])
      factory.latest().receive({ type: 'event', sessionId: 'ses_1', seq, event: textEvent(seq) });

    factory.latest().drop();
    expect(client.getState()).toBe('reconnecting');
    expect(factory.sockets).toHaveLength(1);
    vi.advanceTimersByTime(backoffDelay(1, 100, 1000, () => 1));
    expect(factory.sockets).toHaveLength(2);

    const second = factory.latest();
    second.open();
    expect(second.sent).toEqual([{ type: 'subscribe', sessionId: 'ses_1', afterSeq: 3 }]);
    // The server replays from 4; an overlapping older event must not be delivered twice.
    second.receive({ type: 'event', sessionId: 'ses_1', seq: 3, event: textEvent(3) });
    second.receive({ type: 'event', sessionId: 'ses_1', seq: 4, event: textEvent(4) });
    expect(received).toEqual([1, 2, 3, 4]);
    // A replay page (or a flush under load) arrives as one `events` frame; overlap is dropped too.
    second.receive({ type: 'events', sessionId: 'ses_1', events: [4, 5, 6].map((seq) => textEvent(seq)) });
    expect(received).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('backs off exponentially and reports offline after repeated failures', () => {
    const { factory, client } = setup({ offlineAfterAttempts: 3 });
    client.start();
    const delays = [1, 2, 3].map((attempt) => backoffDelay(attempt, 100, 1000, () => 1));
    expect(delays).toEqual([100, 200, 400]);

    factory.latest().drop();
    expect(client.getState()).toBe('reconnecting');
    vi.advanceTimersByTime(delays[0]!);
    factory.latest().drop();
    vi.advanceTimersByTime(delays[1]! - 1);
    expect(factory.sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(factory.sockets).toHaveLength(3);
    factory.latest().drop();
    expect(client.getState()).toBe('offline');

    vi.advanceTimersByTime(delays[2]!);
    factory.latest().open();
    expect(client.getState()).toBe('connected');
  });

  it('answers a resubscribe frame by subscribing again from its own last seq', () => {
    const { factory, client, watcher } = setup();
    client.watch('ses_1', 0, watcher);
    client.start();
    const socket = factory.latest();
    socket.open();
    socket.receive({ type: 'event', sessionId: 'ses_1', seq: 1, event: textEvent(1) });
    socket.receive({ type: 'resubscribe', sessionId: 'ses_1', afterSeq: 1, reason: 'behind' });
    expect(socket.sent.at(-1)).toEqual({ type: 'subscribe', sessionId: 'ses_1', afterSeq: 1 });
  });

  it('resubscribes on a gap instead of delivering out of order', () => {
    const { factory, client, received, watcher } = setup();
    client.watch('ses_1', 0, watcher);
    client.start();
    const socket = factory.latest();
    socket.open();
    socket.receive({ type: 'event', sessionId: 'ses_1', seq: 1, event: textEvent(1) });
    socket.receive({ type: 'event', sessionId: 'ses_1', seq: 3, event: textEvent(3) });
    socket.receive({ type: 'event', sessionId: 'ses_1', seq: 4, event: textEvent(4) });
    expect(socket.sent.filter((frame) => frame.type === 'subscribe')).toHaveLength(2);
    socket.receive({ type: 'event', sessionId: 'ses_1', seq: 2, event: textEvent(2) });
    expect(received).toEqual([1, 2]);
  });

  it('ignores and logs malformed frames, and reports caught-up and errors to the watcher', () => {
    const { factory, client, logger, watcher } = setup();
    const onError = vi.fn();
    client.watch('ses_1', 0, { ...watcher, onError });
    client.start();
    const socket = factory.latest();
    socket.open();
    socket.receive('not json');
    socket.receive(JSON.stringify({ type: 'event', sessionId: 'ses_1' }));
    expect(logger.warn).toHaveBeenCalledTimes(2);
    socket.receive({ type: 'subscribed', sessionId: 'ses_1', lastSeq: 0 });
    expect(watcher.onCaughtUp).toHaveBeenCalledWith(0);
    socket.receive({ type: 'error', code: 'not_found', message: 'gone', sessionId: 'ses_1' });
    expect(onError).toHaveBeenCalledWith('not_found', 'gone');
  });

  it('unsubscribes when a watch ends and stops reconnecting once stopped', () => {
    const { factory, client, watcher } = setup();
    const unwatch = client.watch('ses_1', 0, watcher);
    client.start();
    factory.latest().open();
    unwatch();
    expect(factory.latest().sent.at(-1)).toEqual({ type: 'unsubscribe', sessionId: 'ses_1' });
    client.stop();
    expect(factory.latest().isClosed).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(factory.sockets).toHaveLength(1);
  });

  it('drops a connection that leaves a ping unanswered for two heartbeats', () => {
    const factory = fakeSocketFactory();
    const logger = { warn: vi.fn(), error: vi.fn() };
    const client = new WsClient({
      url: 'ws://x/ws',
      token: 't',
      createSocket: factory.create,
      heartbeatMs: 1000,
      logger,
    });
    client.start();
    factory.latest().open();
    vi.advanceTimersByTime(1000);
    expect(factory.latest().sent).toEqual([{ type: 'ping' }]);
    // Answered: the connection lives, however quiet the backend is otherwise.
    for (let round = 0; round < 5; round++) {
      factory.latest().receive({ type: 'pong' });
      vi.advanceTimersByTime(1000);
    }
    expect(factory.latest().sent.filter((frame) => frame.type === 'ping')).toHaveLength(6);
    factory.latest().receive({ type: 'pong' });
    expect(factory.sockets[0]!.isClosed).toBe(false);
    // The backend hangs (a stopped process keeps the socket open): unanswered for two intervals.
    vi.advanceTimersByTime(1000); // the next ping goes out
    vi.advanceTimersByTime(1000);
    expect(factory.sockets[0]!.isClosed).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(factory.sockets[0]!.isClosed).toBe(true);
    expect(client.getState()).toBe('reconnecting');
    expect(logger.warn).toHaveBeenCalledWith('chatml: the backend stopped answering; reconnecting');
  });
});
