#!/usr/bin/env node
// Probe behind the WAL checkpointer (packages/server/src/store/database.ts): how long a PASSIVE
// checkpoint blocks the event loop, as ChatML opens the database (WAL, synchronous=NORMAL, exclusive
// locking, events keyed by session and seq), for WALs of a few hundred to a few thousand pages —
// called straight away, and called after an fdatasync of the WAL file on libuv's thread pool (off
// the event loop), which is what the backend does while writing goes on.
//
//   node bench/probes/wal-checkpoint.mjs
import { closeSync, fdatasync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { makeTempDir } from '@chatml/testkit';
import { onCleanup, printTable, round, runBenchmark, summarize } from '../lib/util.mjs';

const require = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const Database = require('better-sqlite3');
const SESSIONS = 20;
const ROUNDS = 7;
const sync = (fd) =>
  new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));

async function variant(dir, transactions, presync) {
  const path = join(dir, `t${transactions}-${presync ? 'presync' : 'plain'}.db`);
  const db = new Database(path);
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec(`CREATE TABLE events (session_id TEXT NOT NULL, seq INTEGER NOT NULL, payload TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)) WITHOUT ROWID`);
  const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?)');
  const seqs = new Array(SESSIONS).fill(0);
  // One transaction per loop turn of runner output: an event for every session.
  const turn = db.transaction(() => {
    for (let s = 0; s < SESSIONS; s++) insert.run(`ses_${s}`, ++seqs[s], `{"text":"${'x'.repeat(100)}"}`);
  });
  const times = [];
  const frames = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (let t = 0; t < transactions; t++) turn();
    if (presync) {
      const fd = openSync(`${path}-wal`, 'r');
      await sync(fd);
      closeSync(fd);
    }
    const started = performance.now();
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    times.push(performance.now() - started);
    frames.push(result.log);
  }
  db.close();
  const stats = summarize(times);
  return [
    presync ? 'fdatasync on the thread pool, then checkpoint' : 'checkpoint straight away',
    Math.round(summarize(frames).p50),
    round(stats.p50, 2),
    round(stats.max, 2),
  ];
}

await runBenchmark('wal-checkpoint', 120_000, async () => {
  const dir = await makeTempDir('bench-wal');
  onCleanup(() => dir.cleanup());
  const rows = [];
  for (const transactions of [20, 100, 400]) {
    rows.push(await variant(dir.path, transactions, false));
    rows.push(await variant(dir.path, transactions, true));
  }
  console.log(
    `PASSIVE checkpoint of the WAL, ${ROUNDS} rounds per size (the event loop is blocked for this long)\n`,
  );
  printTable(['variant', 'WAL pages', 'p50 ms', 'max ms'], rows);
  console.log(JSON.stringify({ bench: 'wal-checkpoint', rows }));
});
