import { join } from 'node:path';
import type { NewSessionEvent } from '@chatml/protocol';
import { makeTempDir, type TempDir } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { type Database, EventStore, openDatabase } from '../../src/store/index.js';
import { seedSessions } from './seed.js';

const note = (text: string): NewSessionEvent => ({
  type: 'stream_delta',
  payload: { turnId: 't', messageId: 'm', blockIndex: 0, kind: 'text', text },
});

const count = (db: Database, table: string) =>
  (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('EventStore', () => {
  let dir: TempDir;
  let db: Database;

  beforeEach(async () => {
    dir = await makeTempDir('event-store');
    db = openDatabase(join(dir.path, 'chatml.db'), silentLogger);
    seedSessions(db, ['s1', 's2']);
  });

  afterEach(async () => {
    if (db.open) db.close();
    await dir.cleanup();
  });

  it('reads the same log whether its rows are still recent, already moved, or split between both', () => {
    const store = new EventStore(db, { settleAfterRows: 1_000_000 });
    for (let i = 1; i <= 30; i++) {
      store.append('s1', note(`a${i}`), i);
      store.append('s2', note(`b${i}`), i);
      if (i === 12) store.settle();
    }
    expect(count(db, 'events')).toBe(24);
    expect(count(db, 'events_recent')).toBe(36);

    const texts = (events: { payload: unknown }[]) =>
      events.map((event) => (event.payload as { text: string }).text);
    const split = store.after('s1', 5, 10);
    expect(split.map((event) => event.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(texts(store.after('s1', 10, 5))).toEqual(['a11', 'a12', 'a13', 'a14', 'a15']);
    const before = store.after('s2', 0, 100);
    expect(texts(before)).toEqual(Array.from({ length: 30 }, (_, i) => `b${i + 1}`));

    store.settle();
    expect(count(db, 'events_recent')).toBe(0);
    expect(store.after('s2', 0, 100)).toEqual(before);
    expect(store.afterEncoded('s1', 28, 100).map((event) => JSON.parse(event.json))).toEqual(
      store.after('s1', 28, 100),
    );
  });

  it('moves recent rows to the keyed table on its own once enough have gathered, after the current turn', async () => {
    const store = new EventStore(db, { settleAfterRows: 10 });
    store.transaction(() => {
      for (let i = 0; i < 15; i++) store.append(i % 2 ? 's1' : 's2', note(String(i)));
    });
    // Not inside the batch that wrote them: that batch's events go out first.
    expect(count(db, 'events_recent')).toBe(15);
    await new Promise((resolve) => setImmediate(resolve));
    expect(count(db, 'events_recent')).toBe(0);
    expect(count(db, 'events')).toBe(15);
    expect(store.after('s1', 0, 100).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('after a restart, continues each session at its last seq and moves what the last run left recent', () => {
    const first = new EventStore(db, { settleAfterRows: 1_000_000 });
    for (let i = 0; i < 5; i++) first.append('s1', note(String(i)));
    first.settle();
    for (let i = 5; i < 8; i++) first.append('s1', note(String(i)));
    first.append('s2', note('only'));
    db.close(); // as if killed: three rows of s1 and one of s2 never moved

    db = openDatabase(join(dir.path, 'chatml.db'), silentLogger);
    const reopened = new EventStore(db);
    expect(count(db, 'events_recent')).toBe(0);
    expect(reopened.lastSeq('s1')).toBe(8);
    expect(reopened.lastSeq('s2')).toBe(1);
    expect(reopened.append('s1', note('next')).seq).toBe(9);
    expect(reopened.after('s1', 0, 100).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('finds events by type across both tables, in order', () => {
    const store = new EventStore(db, { settleAfterRows: 1_000_000 });
    store.append('s1', { type: 'turn_started', payload: { turnId: 'a', messageId: 'one' } });
    store.append('s1', note('x'));
    store.settle();
    store.append('s1', { type: 'turn_started', payload: { turnId: 'b', messageId: 'two' } });
    expect(store.ofTypes('s1', ['turn_started']).map((event) => event.seq)).toEqual([1, 3]);
    expect(store.ofTypes('s1', ['turn_started', 'stream_delta']).map((event) => event.seq)).toEqual([
      1, 2, 3,
    ]);
  });

  it("deleting a session deletes its events from both tables, and no other session's", () => {
    const store = new EventStore(db, { settleAfterRows: 1_000_000 });
    store.append('s1', note('moved'));
    store.append('s2', note('kept'));
    store.settle();
    store.append('s1', note('recent'));
    db.prepare('DELETE FROM sessions WHERE id = ?').run('s1');
    expect(count(db, 'events') + count(db, 'events_recent')).toBe(1);
    expect(store.after('s2', 0, 10)).toHaveLength(1);
  });

  it('starts, and keeps every row readable, when the rows cannot be moved (the failure is reported)', () => {
    const first = new EventStore(db, { settleAfterRows: 1_000_000 });
    first.append('s1', note('a'));
    first.settle();
    first.append('s1', note('b'));
    // A row the move must refuse (the keyed table already holds seq 1): as a disk error would.
    db.prepare("INSERT INTO events_recent VALUES ('s1', 1, 'stream_delta', 0, '{}')").run();
    const errors: Error[] = [];
    const reopened = new EventStore(db, { onSettleError: (error) => errors.push(error) });
    expect(errors).toHaveLength(1);
    expect(count(db, 'events_recent')).toBe(2);
    expect(reopened.lastSeq('s1')).toBe(2);
    expect(reopened.after('s1', 1, 10).map((event) => event.seq)).toEqual([2]);
  });

  it('keeps activitySeq at the last conversation event, seeded from both tables after a restart', () => {
    const lifecycle = (reason: string): NewSessionEvent => ({
      type: 'runner_stopped',
      payload: { reason, exitCode: 0, signal: null },
    });
    const first = new EventStore(db, { settleAfterRows: 1_000_000 });
    expect(first.activitySeq('s1')).toBe(0);
    first.append('s1', { type: 'user_message', payload: { messageId: 'm', text: 'hi', queued: false } });
    first.append('s1', { type: 'turn_started', payload: { turnId: 't', messageId: 'm' } });
    first.append('s1', note('answer'));
    first.settle();
    first.append('s1', { type: 'turn_ended', payload: { turnId: 't', outcome: 'completed' } });
    first.append('s1', lifecycle('stopped'));
    first.append('s2', { type: 'status_changed', payload: { status: 'idle' } });
    expect(first.activitySeq('s1')).toBe(4);
    expect(first.lastSeq('s1')).toBe(5);
    expect(first.activitySeq('s2')).toBe(0);
    // Read from the tables (rows 1–3 moved to events, 4–5 still in events_recent).
    first.forgetAll();
    expect(count(db, 'events_recent')).toBe(3);
    expect(first.activitySeq('s1')).toBe(4);
    expect(first.activitySeq('s2')).toBe(0);
    db.close();

    db = openDatabase(join(dir.path, 'chatml.db'), silentLogger);
    const reopened = new EventStore(db);
    expect(reopened.activitySeq('s1')).toBe(4);
    reopened.append('s1', lifecycle('shutting down'));
    expect(reopened.activitySeq('s1')).toBe(4);
    reopened.forgetAll();
    expect(reopened.activitySeq('s1')).toBe(4);
    reopened.append('s1', { type: 'error_reported', payload: { code: 'x', message: 'y', retryable: false } });
    expect(reopened.activitySeq('s1')).toBe(7);
    expect(reopened.lastSeq('s1')).toBe(7);
  });
});
