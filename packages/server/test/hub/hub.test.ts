import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventsOfFrame, ServerFrame } from '@chatml/protocol';
import { makeTempDir } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hub, type HubSocket } from '../../src/hub/hub.js';
import { silentLogger } from '../../src/logger.js';
import { type Database, EventStore, journalPathFor, openDatabase } from '../../src/store/index.js';
import { prepared } from '../../src/store/prepared.js';
import { seedSessions } from '../store/seed.js';

class FakeSocket implements HubSocket {
  frames: ServerFrame[] = [];
  bufferedAmount = 0;
  isTerminated = false;
  send(data: string): void {
    this.frames.push(JSON.parse(data));
  }
  terminate(): void {
    this.isTerminated = true;
  }
  seqs(sessionId: string): number[] {
    return this.frames.flatMap((frame) =>
      'sessionId' in frame && frame.sessionId === sessionId
        ? eventsOfFrame(frame).map((event) => event.seq)
        : [],
    );
  }
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(condition()).toBe(true);
};

const delta = (text: string) =>
  ({
    type: 'stream_delta',
    payload: { turnId: 't', messageId: 'm', blockIndex: 0, kind: 'text', text },
  }) as const;

describe('Hub', () => {
  let db: Database;
  let store: EventStore;
  let hub: Hub;

  beforeEach(() => {
    db = openDatabase(':memory:', silentLogger);
    const sessions = seedSessions(db, ['s1', 's2']);
    store = new EventStore(db);
    hub = new Hub(store, (id) => sessions.get(id) !== undefined, {
      logger: silentLogger,
      replayPageSize: 7,
      highWaterBytes: 1000,
      hardLimitBytes: 5000,
      drainTimeoutMs: 200,
    });
  });
  afterEach(() => {
    store.close();
    db.close();
  });

  it('replays stored events after afterSeq, then delivers live ones, with no gap or duplicate', async () => {
    for (let i = 1; i <= 30; i++) hub.publish('s1', delta(`a${i}`));
    const socket = new FakeSocket();
    hub.connect(socket).subscribe('s1', 10);
    // Publish while the paged replay is still running: these must come out in order, exactly once.
    for (let i = 31; i <= 40; i++) hub.publish('s1', delta(`b${i}`));
    await until(() => socket.frames.some((frame) => frame.type === 'subscribed'));
    for (let i = 41; i <= 50; i++) hub.publish('s1', delta(`c${i}`));
    expect(socket.seqs('s1')).toEqual(Array.from({ length: 40 }, (_, i) => i + 11));
  });

  it('replays without gap or duplicate while journaled events move to the database between pages', async () => {
    const moving = new Hub(new EventStore(db, { moveAfterRows: 4, moveSliceRows: 3 }), () => true, {
      logger: silentLogger,
      replayPageSize: 7,
    });
    for (let i = 1; i <= 30; i++) moving.publish('s1', delta(`a${i}`));
    const socket = new FakeSocket();
    moving.connect(socket).subscribe('s1', 3);
    for (let i = 31; i <= 60; i++) {
      moving.publish('s1', delta(`b${i}`));
      // Each turn of the loop lets a page go out and a move run.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => socket.frames.some((frame) => frame.type === 'subscribed'));
    for (let i = 61; i <= 65; i++) moving.publish('s1', delta(`c${i}`));
    expect(socket.seqs('s1')).toEqual(Array.from({ length: 62 }, (_, i) => i + 4));
    const moved = prepared(db, 'SELECT COUNT(*) AS n FROM events').get() as { n: number };
    expect(moved.n).toBeGreaterThanOrEqual(56);
  });

  it('answers a subscription from beyond the log’s end with the real last seq, and sends what comes next', async () => {
    for (let i = 1; i <= 5; i++) hub.publish('s1', delta(`a${i}`));
    const socket = new FakeSocket();
    hub.connect(socket).subscribe('s1', 9);
    await until(() => socket.frames.some((frame) => frame.type === 'subscribed'));
    expect(socket.frames.find((frame) => frame.type === 'subscribed')).toMatchObject({ lastSeq: 5 });
    hub.publish('s1', delta('a6'));
    await until(() => socket.seqs('s1').length === 1);
    expect(socket.seqs('s1')).toEqual([6]);
  });

  it('sends events of other sessions only to their subscribers', async () => {
    const socket = new FakeSocket();
    hub.connect(socket).subscribe('s2', 0);
    await until(() => socket.frames.some((frame) => frame.type === 'subscribed'));
    hub.publish('s1', delta('x'));
    hub.publish('s2', delta('y'));
    expect(socket.seqs('s1')).toEqual([]);
    expect(socket.seqs('s2')).toEqual([1]);
  });

  it('replays nothing for a session that does not exist', async () => {
    const socket = new FakeSocket();
    hub.connect(socket).subscribe('nope', 0);
    hub.publish('s1', delta('x'));
    expect(socket.frames).toEqual([
      { type: 'error', code: 'not_found', message: 'Session nope does not exist.', sessionId: 'nope' },
    ]);
  });

  it('tells a client that fell behind to resubscribe from its last seq, and it then catches up losslessly', async () => {
    const slow = new FakeSocket();
    const fast = new FakeSocket();
    const slowClient = hub.connect(slow);
    slowClient.subscribe('s1', 0);
    hub.connect(fast).subscribe('s1', 0);
    await until(() => slow.frames.some((frame) => frame.type === 'subscribed'));
    hub.publish('s1', delta('1'));
    slow.bufferedAmount = 2000; // the peer stopped reading
    hub.publish('s1', delta('2'));
    hub.publish('s1', delta('3'));
    const resubscribe = slow.frames.find((frame) => frame.type === 'resubscribe');
    expect(resubscribe).toMatchObject({ type: 'resubscribe', sessionId: 's1', afterSeq: 1 });
    expect(fast.seqs('s1')).toEqual([1, 2, 3]); // the fast client was never held back
    slow.bufferedAmount = 0;
    slowClient.subscribe('s1', 1);
    await until(() => slow.frames.filter((frame) => frame.type === 'subscribed').length === 2);
    hub.publish('s1', delta('4'));
    expect(slow.seqs('s1')).toEqual([1, 2, 3, 4]);
  });

  it('drops a client whose buffer passes the hard limit', async () => {
    const socket = new FakeSocket();
    hub.connect(socket).subscribe('s1', 0);
    await until(() => socket.frames.some((frame) => frame.type === 'subscribed'));
    socket.bufferedAmount = 10_000;
    hub.publish('s1', delta('x'));
    expect(socket.isTerminated).toBe(true);
    expect(hub.clientCount).toBe(0);
  });

  it('drops a client that stops reading during replay instead of buffering without bound', async () => {
    for (let i = 0; i < 20; i++) hub.publish('s1', delta('x'.repeat(50)));
    const socket = new FakeSocket();
    const originalSend = socket.send.bind(socket);
    socket.send = (data) => {
      originalSend(data);
      socket.bufferedAmount += data.length;
    };
    hub.connect(socket).subscribe('s1', 0);
    await until(() => socket.isTerminated);
    expect(socket.seqs('s1').length).toBeLessThan(20);
  });

  it('sends a batch only after its transaction committed, in order', async () => {
    const socket = new FakeSocket();
    hub.connect(socket).subscribe('s1', 0);
    await until(() => socket.frames.some((frame) => frame.type === 'subscribed'));
    hub.batch(() => {
      hub.publish('s1', delta('a'));
      hub.publish('s1', delta('b'));
      expect(socket.seqs('s1')).toEqual([]); // stored, not yet committed: nothing sent
    });
    expect(socket.seqs('s1')).toEqual([1, 2]);
  });

  it('sends nothing of a batch that failed, and stores and sends its events first when the next one is stored', async () => {
    const socket = new FakeSocket();
    hub.connect(socket).subscribe('s1', 0);
    await until(() => socket.frames.some((frame) => frame.type === 'subscribed'));
    expect(() =>
      hub.batch(() => {
        hub.publish('s1', delta('delayed'));
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(socket.seqs('s1')).toEqual([]);
    expect(store.pendingRows).toBe(0);
    expect(hub.publish('s1', delta('next')).seq).toBe(2);
    expect(socket.seqs('s1')).toEqual([1, 2]);
    expect(store.after('s1', 0, 10).map((event) => (event.payload as { text: string }).text)).toEqual([
      'delayed',
      'next',
    ]);
  });

  it('stores what several runners queued in one loop turn together and sends one frame per session', async () => {
    const socket = new FakeSocket();
    const client = hub.connect(socket);
    client.subscribe('s1', 0);
    client.subscribe('s2', 0);
    await until(() => socket.frames.filter((frame) => frame.type === 'subscribed').length === 2);
    const framesBefore = socket.frames.length;
    hub.enqueue(() => hub.publish('s1', delta('a')));
    hub.enqueue(() => hub.publish('s2', delta('b')));
    hub.enqueue(() => {
      hub.publish('s1', delta('c'));
      hub.publish('s1', delta('d'));
    });
    expect(socket.seqs('s1')).toEqual([]); // queued, not yet flushed
    const flushed = new Promise<void>((resolve) => hub.whenFlushed(resolve));
    await flushed;
    const sent = socket.frames.slice(framesBefore);
    expect(sent.map((frame) => ServerFrame.parse(frame).type)).toEqual(['events', 'event']);
    expect(socket.seqs('s1')).toEqual([1, 2, 3]);
    expect(socket.seqs('s2')).toEqual([1]);
  });

  describe('coalescing stream deltas', () => {
    const deltaOf = (text: string, blockIndex = 0, kind: 'text' | 'tool_input' = 'text') => ({
      turnId: 't',
      messageId: 'm',
      blockIndex,
      kind,
      text,
    });
    const texts = (sessionId: string) =>
      store
        .after(sessionId, 0, 100)
        .map((event) =>
          event.type === 'stream_delta' ? (event.payload as { text: string }).text : event.type,
        );

    it('stores the deltas of one block received in one loop turn as one event, and sends that', async () => {
      const socket = new FakeSocket();
      hub.connect(socket).subscribe('s1', 0);
      await until(() => socket.frames.some((frame) => frame.type === 'subscribed'));
      for (const text of ['Hel', 'lo, ', 'wor', 'ld'])
        hub.enqueue(() => hub.publishDelta('s1', deltaOf(text)));
      await new Promise<void>((resolve) => hub.whenFlushed(resolve));
      expect(texts('s1')).toEqual(['Hello, world']);
      const sent = socket.frames.flatMap((frame) => ('sessionId' in frame ? eventsOfFrame(frame) : []));
      expect(sent).toEqual(store.after('s1', 0, 100));
    });

    it('keeps the order of everything else: another block, another event or another turn ends a run', () => {
      hub.batch(() => {
        hub.publishDelta('s1', deltaOf('a'));
        hub.publishDelta('s2', deltaOf('other session'));
        hub.publishDelta('s1', deltaOf('b'));
        hub.publishDelta('s1', deltaOf('{"x"', 1, 'tool_input'));
        hub.publishDelta('s1', deltaOf(':1}', 1, 'tool_input'));
        hub.publish('s1', { type: 'tool_use', payload: { turnId: 't', id: 'u', tool: 'Read', input: {} } });
        hub.publishDelta('s1', deltaOf('c'));
        hub.publishDelta('s1', { ...deltaOf('d'), turnId: 't2' });
      });
      expect(texts('s1')).toEqual(['ab', '{"x":1}', 'tool_use', 'c', 'd']);
      expect(texts('s2')).toEqual(['other session']);
    });

    it('stores each delta as it comes outside a batch', () => {
      hub.publishDelta('s1', deltaOf('a'));
      hub.publishDelta('s1', deltaOf('b'));
      expect(texts('s1')).toEqual(['a', 'b']);
    });

    it('cuts a run before it passes 64 KiB, losing nothing', () => {
      const chunk = 'x'.repeat(10_000);
      hub.batch(() => {
        for (let i = 0; i < 10; i++) hub.publishDelta('s1', deltaOf(chunk));
      });
      const stored = texts('s1');
      expect(stored.map((text) => text.length)).toEqual([60_000, 40_000]);
    });

    it('stores nothing of a run whose batch rolled back', () => {
      expect(() =>
        hub.batch(() => {
          hub.publishDelta('s1', deltaOf('lost'));
          throw new Error('disk full');
        }),
      ).toThrow('disk full');
      hub.batch(() => hub.publishDelta('s1', deltaOf('kept')));
      expect(texts('s1')).toEqual(['kept']);
    });
  });

  it('keeps the output of other sessions when one queued piece of work fails', async () => {
    const socket = new FakeSocket();
    hub.connect(socket).subscribe('s2', 0);
    await until(() => socket.frames.some((frame) => frame.type === 'subscribed'));
    hub.enqueue(() => {
      throw new Error('a controller bug');
    });
    hub.enqueue(() => hub.publish('s2', delta('kept')));
    await new Promise<void>((resolve) => hub.whenFlushed(resolve));
    expect(socket.seqs('s2')).toEqual([1]);
  });

  it('reports "flushed" at once when nothing is queued, and after the flush otherwise', async () => {
    const order: string[] = [];
    hub.whenFlushed(() => order.push('idle'));
    hub.enqueue(() => {
      hub.publish('s1', delta('x'));
      order.push('work');
    });
    hub.whenFlushed(() => order.push('after'));
    expect(order).toEqual(['idle']);
    await new Promise<void>((resolve) => hub.whenFlushed(resolve));
    expect(order).toEqual(['idle', 'work', 'after']);
  });

  it('holds a broadcast made inside a batch until the events before it are sent', async () => {
    const socket = new FakeSocket();
    hub.connect(socket).subscribe('s1', 0);
    await until(() => socket.frames.some((frame) => frame.type === 'subscribed'));
    hub.batch(() => {
      hub.publish('s1', delta('a'));
      hub.broadcast({ type: 'session_deleted', sessionId: 's9' });
    });
    expect(socket.frames.slice(-2).map((frame) => frame.type)).toEqual(['event', 'session_deleted']);
  });

  it('replays a long log in page-sized frames that splice the stored JSON unchanged', async () => {
    for (let i = 1; i <= 20; i++) hub.publish('s1', delta(`text "${i}" \u2028 ✓`));
    const socket = new FakeSocket();
    hub.connect(socket).subscribe('s1', 0);
    await until(() => socket.frames.some((frame) => frame.type === 'subscribed'));
    const pages = socket.frames.filter((frame) => frame.type === 'events');
    expect(pages.map((frame) => eventsOfFrame(frame).length)).toEqual([7, 7, 6]);
    const replayed = pages.flatMap((frame) => eventsOfFrame(ServerFrame.parse(frame)));
    expect(replayed).toEqual(store.after('s1', 0, 100));
  });

  it('keeps seqs increasing per session across a store reopen', () => {
    hub.publish('s1', delta('a'));
    hub.publish('s1', delta('b'));
    store.persist();
    const reopened = new EventStore(db);
    expect(reopened.lastSeq('s1')).toBe(2);
    expect(reopened.append('s1', delta('c')).seq).toBe(3);
  });
});

describe('Hub when the event journal cannot be written', () => {
  it('keeps a batch it could not store, sends nothing of it, and stores and sends it in order once it can', async () => {
    const dir = await makeTempDir('hub-unstored');
    const path = join(dir.path, 'chatml.db');
    const db = openDatabase(path, silentLogger);
    const sessions = seedSessions(db, ['s1']);
    const journalPath = journalPathFor(path) as string;
    const store = new EventStore(db, { journalPath });
    const hub = new Hub(store, (id) => sessions.get(id) !== undefined, { logger: silentLogger });
    try {
      const socket = new FakeSocket();
      hub.connect(socket).subscribe('s1', 0);
      await until(() => socket.frames.some((frame) => frame.type === 'subscribed'));
      mkdirSync(`${journalPath}.1`); // where the first journal file goes: every write fails
      hub.enqueue(() => hub.publish('s1', delta('a')));
      hub.enqueue(() => hub.broadcast({ type: 'session_deleted', sessionId: 'after-a' }));
      await new Promise<void>((resolve) => hub.whenFlushed(resolve));
      hub.enqueue(() => hub.publish('s1', delta('b')));
      await new Promise<void>((resolve) => hub.whenFlushed(resolve));
      expect(socket.seqs('s1')).toEqual([]);
      expect(socket.frames.map((frame) => frame.type)).toEqual(['subscribed']);
      // A message from outside a batch cannot overtake them: refused while storage fails.
      expect(() => hub.publish('s1', delta('c'))).toThrow(/could not write its event log \(EISDIR\)/);

      rmdirSync(`${journalPath}.1`);
      await until(() => socket.seqs('s1').length === 2); // the retry, a second later
      hub.publish('s1', delta('c'));
      const texts = store.after('s1', 0, 10).map((event) => (event.payload as { text: string }).text);
      expect(texts).toEqual(['a', 'b', 'c']);
      expect(socket.seqs('s1')).toEqual([1, 2, 3]);
      expect(socket.frames.map((frame) => frame.type)).toEqual([
        'subscribed',
        'events',
        'session_deleted',
        'event',
      ]);
    } finally {
      store.close();
      db.close();
      await dir.cleanup();
    }
  });
});
