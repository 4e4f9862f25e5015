import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { NewSessionEvent } from '@chatml/protocol';
import { makeTempDir, type TempDir, waitUntil } from '@chatml/testkit';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import {
  type Database,
  EventStore,
  type EventStoreOptions,
  journalPathFor,
  openDatabase,
} from '../../src/store/index.js';
import { migrations } from '../../src/store/migrations.js';
import { pragma, prepared, retain } from '../../src/store/prepared.js';
import { count, note, seedSessions, texts } from './seed.js';

/** Options that never move rows on their own: the test decides when (`persist`). */
const manual: EventStoreOptions = { moveAfterMs: 3_600_000, moveAfterRows: 1_000_000 };

describe('EventStore', () => {
  let dir: TempDir;
  let db: Database;
  let databasePath: string;
  let journalPath: string;
  const stores: EventStore[] = [];

  const open = (options: EventStoreOptions = {}) => {
    const store = new EventStore(db, { journalPath, ...options });
    stores.push(store);
    return store;
  };
  const journalFiles = () => readdirSync(dir.path).filter((name) => name.startsWith('chatml.db.events.'));
  /** As if the backend was killed: the database closes, the journal is left as it was. */
  const crashAndReopen = () => {
    db.close();
    db = openDatabase(databasePath, silentLogger);
  };

  /** A journal line of session s1, as the store writes it. */
  const journalLine = (seq: number, text: string) =>
    `${seq}\t5\tstream_delta\ts1\t${JSON.stringify(note(text).payload)}\n`;
  /** Store 'kept' as seq 1, crash, then append `text` to the journal the crash left, by hand. */
  const crashWithJournal = (text: string) => {
    open(manual).append('s1', note('kept'));
    stores.splice(0);
    crashAndReopen();
    const [file] = journalFiles();
    appendFileSync(join(dir.path, file as string), text);
  };

  beforeEach(async () => {
    dir = await makeTempDir('event-store');
    databasePath = join(dir.path, 'chatml.db');
    journalPath = journalPathFor(databasePath) as string;
    db = openDatabase(databasePath, silentLogger);
    seedSessions(db, ['s1', 's2']);
  });

  afterEach(async () => {
    // Stop move timers of stores a test left open (their database may be closed already).
    for (const store of stores.splice(0)) if (db.open) store.persist();
    if (db.open) db.close();
    await dir.cleanup();
  });

  it('writes each event to the journal before append returns, and reads the same log wherever its rows are', () => {
    const store = open(manual);
    for (let i = 1; i <= 30; i++) {
      store.append('s1', note(`a${i}`), i);
      store.append('s2', note(`b${i}`), i);
      if (i === 12) store.persist();
    }
    expect(count(db)).toBe(24);
    expect(store.pendingRows).toBe(36);
    const lines = journalFiles()
      .flatMap((name) => readFileSync(join(dir.path, name), 'utf8').trim().split('\n'))
      .filter((line) => !line.startsWith('#')); // each append outside a batch is a batch of its own
    expect(lines).toHaveLength(36);

    const split = store.after('s1', 5, 10);
    expect(split.map((event) => event.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(texts(store.after('s1', 10, 5))).toEqual(['a11', 'a12', 'a13', 'a14', 'a15']);
    const before = store.after('s2', 0, 100);
    expect(texts(before)).toEqual(Array.from({ length: 30 }, (_, i) => `b${i + 1}`));

    store.persist();
    expect(store.pendingRows).toBe(0);
    expect(count(db)).toBe(60);
    expect(journalFiles()).toEqual([]);
    expect(store.after('s2', 0, 100)).toEqual(before);
    expect(store.afterEncoded('s1', 28, 100).map((event) => JSON.parse(event.json))).toEqual(
      store.after('s1', 28, 100),
    );
  });

  it('moves journaled rows to the database on its own, in slices, outside the batch that wrote them', async () => {
    const store = open({ moveAfterMs: 10, moveSliceRows: 4 });
    store.transaction(() => {
      for (let i = 0; i < 15; i++) store.append(i % 2 ? 's1' : 's2', note(String(i)));
    });
    // Not inside the batch that wrote them: that batch's events go out first.
    expect(count(db)).toBe(0);
    expect(journalFiles()).toHaveLength(1);
    // Appended while the move runs: it stays for the next one, and the log reads whole throughout.
    while (count(db) === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(count(db)).toBe(4);
    store.append('s1', note('late'));
    expect(store.after('s1', 0, 100).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await waitUntil(() => count(db) === 16);
    expect(store.pendingRows).toBe(0);
    expect(texts(store.after('s1', 0, 100))).toEqual(['1', '3', '5', '7', '9', '11', '13', 'late']);
    // The files stay until a checkpoint made the moved rows durable in the database.
    expect(journalFiles()).toHaveLength(2);
    store.markDurable();
    expect(journalFiles()).toEqual([]);
  });

  it('moves in slices that grow with the backlog, so moving keeps up with any rate of appends', async () => {
    let writes = 0;
    const store = open({ moveAfterMs: 5, moveSliceRows: 4, onDatabaseWrite: () => (writes += 1) });
    store.transaction(() => {
      for (let i = 0; i < 400; i++) store.append('s1', note(String(i)));
    });
    await waitUntil(() => count(db) === 400);
    // Slices of 4 would have taken 100 transactions; each moves at least 1/16 of what waits.
    expect(writes).toBeLessThan(60);
    expect(writes).toBeGreaterThan(16);
  });

  it('moves one session’s very long backlog in one go when asked to (no spread into push)', () => {
    const store = open(manual);
    store.transaction(() => {
      for (let i = 0; i < 200_000; i++) store.append('s1', note('x'));
    });
    store.persist();
    expect(count(db)).toBe(200_000);
  });

  it('starts a move at once when many rows wait', async () => {
    const store = open({ moveAfterMs: 3_600_000, moveAfterRows: 10 });
    for (let i = 0; i < 12; i++) store.append('s1', note(String(i)));
    await waitUntil(() => count(db) === 12);
    expect(store.pendingRows).toBe(0);
  });

  it('after a crash, puts what the journal held into the database and continues each session at its last seq', () => {
    const first = open(manual);
    for (let i = 0; i < 5; i++) first.append('s1', note(String(i)));
    first.persist();
    for (let i = 5; i < 8; i++) first.append('s1', note(String(i)));
    first.transaction(() => first.append('s2', note('only')));
    stores.splice(0);
    crashAndReopen(); // three rows of s1 and one of s2 only in the journal

    const reopened = open(manual);
    expect(count(db)).toBe(9);
    expect(journalFiles()).toEqual([]);
    expect(reopened.lastSeq('s1')).toBe(8);
    expect(reopened.lastSeq('s2')).toBe(1);
    expect(reopened.append('s1', note('next')).seq).toBe(9);
    expect(texts(reopened.after('s1', 0, 100))).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', 'next']);
  });

  it('recovers only completed batches: one cut short by a failed write or a crash is left out', () => {
    // What the journal holds after: a batch whose write failed after one whole line (its seq 2 was
    // given out again), the `!` the next write began with, that next batch complete, and a last
    // batch cut mid-line by a crash.
    const line = journalLine;
    crashWithJournal(
      `${line(2, 'never sent')}\n!\n${line(2, 'sent')}${line(3, 'sent too')}#2\n${line(4, 'cut')}4\t5\tstream_delta\ts1\t{"turnId":"t","mes`,
    );
    const skipped: number[] = [];

    const reopened = open({ ...manual, onSkippedJournalLines: (lines) => skipped.push(lines) });
    expect(skipped).toEqual([3]);
    expect(texts(reopened.after('s1', 0, 100))).toEqual(['kept', 'sent', 'sent too']);
    expect(reopened.append('s1', note('next')).seq).toBe(4);
  });

  it('voids a failed write that looks complete: its marker cut to a valid-looking one, or only its newline missing', () => {
    const line = journalLine;
    // A 12-row batch whose write stopped after `#1` of `#12`; the next write begins with `\n!\n`.
    const failed = Array.from({ length: 12 }, (_, i) => line(2 + i, `never sent ${i}`)).join('');
    // Then a batch whose write stopped just before its last newline, and the one after it.
    crashWithJournal(
      `${failed}#1\n!\n${line(2, 'sent')}#1\n${line(3, 'also never sent')}#1\n!\n${line(3, 'sent too')}#1\n`,
    );
    const skipped: number[] = [];

    const reopened = open({ ...manual, onSkippedJournalLines: (lines) => skipped.push(lines) });
    expect(texts(reopened.after('s1', 0, 100))).toEqual(['kept', 'sent', 'sent too']);
    expect(skipped).toEqual([13]);
  });

  it('starts beside stray files named like the journal: reports a folder, ignores other names, loses nothing', () => {
    const first = open(manual);
    first.append('s1', note('kept'));
    stores.splice(0);
    crashAndReopen();
    mkdirSync(`${journalPath}.0`); // a folder where an (older) journal file would be
    writeFileSync(`${journalPath}.07`, 'not ours\n');
    const problems: string[] = [];

    const reopened = open({ ...manual, onJournalProblem: (problem) => problems.push(problem) });
    expect(texts(reopened.after('s1', 0, 10))).toEqual(['kept']);
    expect(problems.some((problem) => problem.includes('is not an event journal file'))).toBe(true);
    expect(journalFiles().sort()).toEqual(['chatml.db.events.0', 'chatml.db.events.07']);
    rmdirSync(`${journalPath}.0`);
  });

  it('refuses an event whose payload cannot be encoded before writing or sending anything', () => {
    const store = open(manual);
    const broken = { type: 'stream_delta', payload: undefined } as unknown as NewSessionEvent;
    expect(() => store.append('s1', broken)).toThrow('cannot be stored');
    expect(store.pendingRows).toBe(0);
    expect(store.append('s1', note('a')).seq).toBe(1);
  });

  it('forgets the events of a batch that failed, and gives their seqs out again', () => {
    const store = open(manual);
    store.append('s1', note('a'));
    expect(() =>
      store.transaction(() => {
        store.append('s1', note('lost'));
        store.append('s2', note('lost too'));
        throw new Error('handler failed');
      }),
    ).toThrow('handler failed');
    expect(store.pendingRows).toBe(1);
    expect(store.append('s1', note('b')).seq).toBe(2);
    expect(store.append('s2', note('c')).seq).toBe(1);
    expect(texts(store.after('s1', 0, 10))).toEqual(['a', 'b']);
  });

  it('refuses a batch whose journal write fails: nothing of it is kept, and later batches go on', () => {
    const store = open(manual);
    store.append('s1', note('a'));
    store.persist(); // the next write opens a new journal file; make that impossible
    const next = `${journalPath}.2`;
    mkdirSync(next);
    expect(() => store.transaction(() => store.append('s1', note('unwritten')))).toThrow(/EISDIR/);
    expect(store.lastSeq('s1')).toBe(1);
    expect(store.after('s1', 0, 10)).toHaveLength(1);
    rmdirSync(next);
    store.persist(); // a new file: the next batch is written
    expect(store.transaction(() => store.append('s1', note('written'))).seq).toBe(2);
  });

  it('finds events by type in the database and the journal, in order', () => {
    const store = open(manual);
    store.append('s1', { type: 'turn_started', payload: { turnId: 'a', messageId: 'one' } });
    store.append('s1', note('x'));
    store.persist();
    store.append('s1', { type: 'turn_started', payload: { turnId: 'b', messageId: 'two' } });
    expect(store.ofTypes('s1', ['turn_started']).map((event) => event.seq)).toEqual([1, 3]);
    expect(store.ofTypes('s1', ['turn_started', 'stream_delta']).map((event) => event.seq)).toEqual([
      1, 2, 3,
    ]);
  });

  it("deleting a session deletes its events, never brings back those still journaled, and keeps other sessions'", () => {
    const store = open(manual);
    store.append('s1', note('moved'));
    store.append('s2', note('kept'));
    store.persist();
    store.append('s1', note('journaled'));
    store.append('s2', note('kept too'));
    prepared(db, 'DELETE FROM sessions WHERE id = ?').run('s1');
    store.persist();
    expect(count(db)).toBe(2);
    expect(texts(store.after('s2', 0, 10))).toEqual(['kept', 'kept too']);
  });

  it('keeps every row readable while moves fail, reports the failure, and moves them once it can', async () => {
    const errors: Error[] = [];
    const store = open({ moveAfterMs: 5, onMoveError: (error) => errors.push(error) });
    pragma(db, 'query_only = 1'); // every write fails, as on a disk that went read-only
    store.append('s1', note('a'));
    store.append('s1', note('b'));
    await waitUntil(() => errors.length > 0);
    expect(errors[0]?.message).toContain('readonly');
    expect(texts(store.after('s1', 0, 10))).toEqual(['a', 'b']);
    expect(store.append('s1', note('c')).seq).toBe(3);
    pragma(db, 'query_only = 0');
    await waitUntil(() => count(db) === 3, { timeoutMs: 5000 });
    expect(texts(store.after('s1', 0, 10))).toEqual(['a', 'b', 'c']);
    store.markDurable();
    expect(journalFiles()).toEqual([]);
  });

  it('drops a row the database refuses for what it is, reports it, and moves every other', async () => {
    const errors: Error[] = [];
    const store = open({ moveAfterMs: 5, onMoveError: (error) => errors.push(error) });
    db.exec(
      "CREATE TEMP TRIGGER picky BEFORE INSERT ON events WHEN NEW.seq = 2 BEGIN SELECT RAISE(ABORT, 'not this one'); END",
    );
    for (const text of ['a', 'b', 'c']) store.append('s1', note(text));
    store.append('s2', note('other'));
    await waitUntil(() => store.pendingRows === 0);
    expect(count(db)).toBe(3);
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(
        /^event 2 \(stream_delta\) of session s1 was refused by the database .*not this one/,
      ),
    ]);
    db.exec('DROP TRIGGER picky');
  });

  it('keeps activitySeq at the last conversation event, seeded from the database and the journal after a restart', () => {
    const lifecycle = (reason: string): NewSessionEvent => ({
      type: 'runner_stopped',
      payload: { reason, exitCode: 0, signal: null },
    });
    const first = open(manual);
    expect(first.activitySeq('s1')).toBe(0);
    first.append('s1', { type: 'user_message', payload: { messageId: 'm', text: 'hi', queued: false } });
    first.append('s1', { type: 'turn_started', payload: { turnId: 't', messageId: 'm' } });
    first.append('s1', note('answer'));
    first.persist();
    first.append('s1', { type: 'turn_ended', payload: { turnId: 't', outcome: 'completed' } });
    first.append('s1', lifecycle('stopped'));
    first.append('s2', { type: 'status_changed', payload: { status: 'idle' } });
    expect(first.activitySeq('s1')).toBe(4);
    expect(first.lastSeq('s1')).toBe(5);
    expect(first.activitySeq('s2')).toBe(0);
    // Read back (rows 1–3 in the database, 4–5 in the journal).
    first.forgetAll();
    expect(first.activitySeq('s1')).toBe(4);
    expect(first.lastSeq('s1')).toBe(5);
    expect(first.activitySeq('s2')).toBe(0);
    stores.splice(0);
    crashAndReopen();

    const reopened = open(manual);
    expect(reopened.activitySeq('s1')).toBe(4);
    reopened.append('s1', lifecycle('shutting down'));
    expect(reopened.activitySeq('s1')).toBe(4);
    reopened.forgetAll();
    expect(reopened.activitySeq('s1')).toBe(4);
    reopened.append('s1', { type: 'error_reported', payload: { code: 'x', message: 'y', retryable: false } });
    expect(reopened.activitySeq('s1')).toBe(7);
    expect(reopened.lastSeq('s1')).toBe(7);
  });

  it('refuses appends once closed, with everything moved and no journal left', () => {
    const store = open(manual);
    store.append('s1', note('a'));
    store.close();
    expect(count(db)).toBe(1);
    expect(journalFiles()).toEqual([]);
    expect(() => store.append('s1', note('late'))).toThrow('closed');
  });
});

describe('the migration away from events_recent', () => {
  it('moves the rows an earlier version left there into events', async () => {
    const dir = await makeTempDir('event-store-migration');
    try {
      const path = join(dir.path, 'chatml.db');
      // A database as the previous schema left it, with rows still in events_recent.
      const old = new BetterSqlite3(path);
      retain(old); // better-sqlite3 on Node 24 can abort when a collected Statement is destroyed
      old.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
      for (const sql of migrations.slice(0, -1)) old.exec(sql);
      prepared(old, 'INSERT INTO schema_version (version) VALUES (?)').run(migrations.length - 1);
      seedSessions(old, ['s1']);
      prepared(old, `INSERT INTO events VALUES ('s1', 1, 'stream_delta', 1, '{"a":1}')`).run();
      prepared(old, `INSERT INTO events_recent VALUES ('s1', 2, 'stream_delta', 2, '{"b":2}')`).run();
      old.close();

      const db = openDatabase(path, silentLogger);
      const tables = prepared(db, "SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
        name: string;
      }[];
      expect(tables.map((table) => table.name)).not.toContain('events_recent');
      const store = new EventStore(db, { journalPath: journalPathFor(path) });
      expect(store.after('s1', 0, 10).map((event) => event.payload)).toEqual([{ a: 1 }, { b: 2 }]);
      store.close();
      db.close();
      expect(existsSync(`${path}.events.1`)).toBe(false);
    } finally {
      await dir.cleanup();
    }
  });
});
