#!/usr/bin/env node
// Probe behind a hub-latency finding: what one event-store append costs in SQLite (WAL,
// synchronous=NORMAL, foreign keys on, the `events` table of migration 1), 40,000 events over 20
// sessions, timed one by one. Variants: SQLite's default inline checkpoints every 1000 pages (appends
// over 5 ms are those checkpoints: each fsyncs the database), no inline checkpoint, 20 events per
// transaction, synchronous=OFF, and ChatML's settings (inline checkpoints only past 16,384 pages —
// the backend checkpoints when writing pauses — a few events per transaction, as one loop turn of
// runner output gives, and locking_mode=EXCLUSIVE: the backend is the database's only user).
// A second table compares the two places an append can go, with one event per session per
// transaction (one loop turn of 20 streaming sessions): straight into `events`, keyed (session_id,
// seq), or into the rowid table `events_recent` with a sorted move to `events` every 512 rows (what
// the event store did until 2026-12-03; it now writes a journal file and moves sorted slices into
// `events`, see store/event-journal.ts), counting the WAL pages written per event, moves included.
//
//   node bench/probes/sqlite-append.mjs
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { makeTempDir } from '@chatml/testkit';
import { onCleanup, printTable, round, runBenchmark, summarize } from '../lib/util.mjs';

// better-sqlite3 is the server's dependency; resolve it the way the server does.
const require = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const Database = require('better-sqlite3');

const EVENTS = 40_000;
const SESSIONS = 20;
const SCHEMA = `
  CREATE TABLE sessions (id TEXT PRIMARY KEY);
  CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, type TEXT NOT NULL, ts INTEGER NOT NULL, payload TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
  ) WITHOUT ROWID;`;

function variant(dir, name, pragmas, batch, lockingMode = 'NORMAL') {
  const db = new Database(join(dir, `${name.replace(/\W+/g, '-')}.db`));
  // Must precede the first WAL access to take effect (no shared-memory wal-index is then created).
  db.pragma(`locking_mode = ${lockingMode}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  for (const pragma of pragmas) db.pragma(pragma);
  db.exec(SCHEMA);
  const ids = Array.from({ length: SESSIONS }, (_, i) => `ses_${String(i).padStart(20, '0')}`);
  for (const id of ids) db.prepare('INSERT INTO sessions (id) VALUES (?)').run(id);
  const insert = db.prepare('INSERT INTO events (session_id, seq, type, ts, payload) VALUES (?, ?, ?, ?, ?)');
  const insertMany = db.transaction((rows) => {
    for (const row of rows) insert.run(...row);
  });
  const seqs = new Array(SESSIONS).fill(0);
  const times = [];
  let pending = [];
  for (let i = 0; i < EVENTS; i++) {
    const s = i % SESSIONS;
    const payload = JSON.stringify({
      turnId: 'turn_0123456789ab',
      messageId: 'm1',
      blockIndex: 0,
      kind: 'text',
      text: `${i}@1795586614983.4561`,
    });
    const row = [ids[s], ++seqs[s], 'stream_delta', Date.now(), payload];
    const started = performance.now();
    if (batch === 1) insert.run(...row);
    else {
      pending.push(row);
      if (pending.length === batch) {
        insertMany(pending);
        pending = [];
      }
    }
    times.push(performance.now() - started);
  }
  db.close();
  const stats = summarize(times);
  return [
    name,
    round(stats.mean * 1000, 1),
    round(stats.p50 * 1000, 1),
    round(stats.p99 * 1000, 1),
    round(stats.max, 2),
    times.filter((t) => t > 5).length,
  ];
}

/** Appends in transactions of one event per session, straight to `events` or via `events_recent`. */
function appendPath(dir, name, viaRecent) {
  const db = new Database(join(dir, `${name.replace(/\W+/g, '-')}.db`));
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('wal_autocheckpoint = 0'); // checkpointed by hand below, counting the WAL's frames
  db.exec(SCHEMA);
  db.exec(`CREATE TABLE events_recent (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, type TEXT NOT NULL, ts INTEGER NOT NULL, payload TEXT NOT NULL)`);
  const ids = Array.from({ length: SESSIONS }, (_, i) => `ses_${String(i).padStart(20, '0')}`);
  for (const id of ids) db.prepare('INSERT INTO sessions (id) VALUES (?)').run(id);
  const table = viaRecent ? 'events_recent' : 'events';
  const insert = db.prepare(
    `INSERT INTO ${table} (session_id, seq, type, ts, payload) VALUES (?, ?, ?, ?, ?)`,
  );
  const columns = 'session_id, seq, type, ts, payload';
  const move = db.transaction(() => {
    db.prepare(
      `INSERT INTO events (${columns}) SELECT ${columns} FROM events_recent ORDER BY session_id, seq`,
    ).run();
    db.prepare('DELETE FROM events_recent').run();
  });
  const commit = db.transaction((rows) => {
    for (const row of rows) insert.run(...row);
  });
  let walFrames = 0;
  const checkpoint = () => {
    walFrames += db.pragma('wal_checkpoint(PASSIVE)')[0].log;
  };
  const seqs = new Array(SESSIONS).fill(0);
  const commitTimes = [];
  let recent = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let turn = 0; turn < EVENTS / SESSIONS; turn++) {
    const rows = ids.map((id, s) => [id, ++seqs[s], 'stream_delta', Date.now(), `{"text":"${turn}@${s}"}`]);
    const commitStarted = performance.now();
    commit(rows);
    commitTimes.push(performance.now() - commitStarted);
    recent += rows.length;
    if (viaRecent && recent >= 512) {
      move();
      recent = 0;
    }
    if (turn % 100 === 99) checkpoint();
  }
  if (viaRecent) move();
  checkpoint();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  db.close();
  const commits = summarize(commitTimes);
  return [
    name,
    round((wallMs * 1000) / EVENTS, 1),
    round((cpu.user + cpu.system) / EVENTS, 1),
    round(walFrames / EVENTS, 2),
    round(commits.p50 * 1000, 0),
    round(commits.p99 * 1000, 0),
  ];
}

await runBenchmark('sqlite-append', 60_000, async () => {
  const dir = await makeTempDir('bench-sqlite');
  onCleanup(() => dir.cleanup());
  const asChatml = ['wal_autocheckpoint = 16384'];
  const rows = [
    variant(dir.path, 'autocommit, autocheckpoint 1000 (SQLite default)', [], 1),
    variant(dir.path, 'wal_autocheckpoint=0 (no inline checkpoint)', ['wal_autocheckpoint = 0'], 1),
    variant(dir.path, '20 events per transaction', [], 20),
    variant(dir.path, 'synchronous=OFF', ['synchronous = OFF'], 1),
    variant(dir.path, 'autocheckpoint 16384, 4 per transaction', asChatml, 4),
    variant(dir.path, 'same, locking_mode=EXCLUSIVE (ChatML)', asChatml, 4, 'EXCLUSIVE'),
    variant(dir.path, 'autocommit, locking_mode=EXCLUSIVE', asChatml, 1, 'EXCLUSIVE'),
  ];
  console.log(
    `${EVENTS} appends over ${SESSIONS} sessions, timed one by one (a batch's cost lands on its last event)\n`,
  );
  printTable(['variant', 'mean µs', 'p50 µs', 'p99 µs', 'max ms', 'appends > 5 ms'], rows);
  const paths = [
    appendPath(dir.path, 'straight into events', false),
    appendPath(dir.path, 'via events_recent, moved every 512', true),
  ];
  console.log(`\n${SESSIONS} sessions, one event each per transaction (moves and checkpoints included)\n`);
  printTable(
    ['append path', 'wall µs/event', 'CPU µs/event', 'WAL pages/event', 'commit p50 µs', 'commit p99 µs'],
    paths,
  );
  console.log(JSON.stringify({ bench: 'sqlite-append', rows, paths }));
});
