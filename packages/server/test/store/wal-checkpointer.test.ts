import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { makeTempDir } from '@chatml/testkit';
import { expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { type Database, openDatabase, WalCheckpointer } from '../../src/store/database.js';
import { pragma, prepared } from '../../src/store/prepared.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withDatabase(run: (db: Database) => Promise<void>): Promise<void> {
  const dir = await makeTempDir('wal');
  const db = openDatabase(join(dir.path, 'chatml.db'), silentLogger);
  try {
    db.exec('CREATE TABLE t (x TEXT)');
    await run(db);
  } finally {
    db.close();
    await dir.cleanup();
  }
}

/** Insert a row every 5 ms for `ms`, telling the checkpointer of each write; returns the rows written. */
async function writeFor(db: Database, checkpointer: WalCheckpointer, ms: number): Promise<number> {
  const insert = prepared(db, 'INSERT INTO t VALUES (?)');
  const until = Date.now() + ms;
  let rows = 0;
  while (Date.now() < until) {
    insert.run('x'.repeat(200));
    rows += 1;
    checkpointer.noteWrite();
    await sleep(5);
  }
  return rows;
}

it('checkpoints the WAL once writing pauses, and folds it back on stop', async () => {
  await withDatabase(async (db) => {
    // A busy interval longer than the writing: only the pause may trigger a checkpoint.
    const checkpointer = new WalCheckpointer(db, 50, 60_000);
    let told = 0;
    checkpointer.onCheckpoint = () => (told += 1); // the event store deletes moved journal files then
    expect(pragma(db, 'wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 16_384 }]);
    const rows = await writeFor(db, checkpointer, 200);
    expect(checkpointer.framesCheckpointed).toBe(0);
    expect(told).toBe(0);
    for (let i = 0; i < 100 && checkpointer.framesCheckpointed === 0; i++) await sleep(10);
    expect(checkpointer.framesCheckpointed).toBeGreaterThan(0);
    expect(told).toBe(1);
    expect(checkpointer.busyCheckpoints).toBe(0);
    checkpointer.stop();
    expect((prepared(db, 'SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(rows);
  });
});

it('while writing goes on, syncs the WAL off the event loop and checkpoints it in small steps', async () => {
  await withDatabase(async (db) => {
    const checkpointer = new WalCheckpointer(db, 10_000, 40);
    const rows = await writeFor(db, checkpointer, 400);
    // Still writing as far as the checkpointer knows (no 10 s pause), yet the WAL has been folded in.
    expect(checkpointer.busyCheckpoints).toBeGreaterThan(0);
    expect(checkpointer.framesCheckpointed).toBeGreaterThan(0);
    checkpointer.stop();
    expect((prepared(db, 'SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(rows);
  });
});

it('stops cleanly with a WAL sync still running', async () => {
  await withDatabase(async (db) => {
    const checkpointer = new WalCheckpointer(db, 10_000, 1);
    const insert = prepared(db, 'INSERT INTO t VALUES (?)');
    insert.run('x');
    checkpointer.noteWrite();
    await sleep(5); // the timer fires and starts an fdatasync on the thread pool
    insert.run('y');
    checkpointer.stop();
    await sleep(50); // the sync's callback finds the checkpointer stopped and only closes its fd
    expect((prepared(db, 'SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(2);
  });
});

it('survives a checkpoint that fails (a full disk), reports it, and tries again later', async () => {
  await withDatabase(async (db) => {
    const prepare = db.prepare.bind(db);
    let failures = 0;
    // What better-sqlite3 throws when the disk is full, from the checkpoint alone.
    db.prepare = ((sql: string) =>
      sql === 'PRAGMA wal_checkpoint(PASSIVE)'
        ? {
            reader: true,
            all() {
              failures += 1;
              if (failures <= 2) throw new Error('database or disk is full');
              return [{ checkpointed: 1 }];
            },
          }
        : prepare(sql)) as typeof db.prepare;
    const checkpointer = new WalCheckpointer(db, 20, 60_000);
    const errors: string[] = [];
    let checkpoints = 0;
    checkpointer.onError = (error) => errors.push(error.message);
    checkpointer.onCheckpoint = () => (checkpoints += 1);
    for (let attempt = 0; attempt < 3; attempt++) {
      checkpointer.noteWrite();
      for (let i = 0; i < 50 && failures <= attempt; i++) await sleep(10);
    }
    expect(errors).toEqual(['database or disk is full', 'database or disk is full']);
    expect(checkpoints).toBe(1);
    db.prepare = prepare;
    checkpointer.stop();
  });
});

it('does not count a checkpoint another connection kept it from making (the event mover checkpointing)', async () => {
  await withDatabase(async (db) => {
    const insert = prepared(db, 'INSERT INTO t VALUES (?)');
    for (let i = 0; i < 20; i++) insert.run('x'.repeat(200));
    // Another process checkpoints (TRUNCATE, holding the checkpoint and write locks while it waits
    // for its own reader to finish).
    const script = `
      const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
      const reader = new Database(${JSON.stringify(db.name)});
      reader.prepare('BEGIN').run();
      reader.prepare('SELECT COUNT(*) FROM t').get();
      new Database(${JSON.stringify(db.name)}, { timeout: 30000 }).pragma('wal_checkpoint(TRUNCATE)');
    `;
    const other = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    const exited = new Promise((resolve) => other.once('close', resolve));
    try {
      // Its checkpoint has begun once the write lock is taken (probed without checkpointing).
      const isLocked = () => {
        try {
          db.exec('BEGIN IMMEDIATE');
          db.exec('ROLLBACK');
          return false;
        } catch {
          return true;
        }
      };
      pragma(db, 'busy_timeout = 0');
      for (let i = 0; i < 500 && !isLocked(); i++) await sleep(10);
      expect(isLocked()).toBe(true);
      pragma(db, 'busy_timeout = 5000');
      const checkpointer = new WalCheckpointer(db, 20, 60_000);
      let told = 0;
      checkpointer.onCheckpoint = () => (told += 1);
      checkpointer.noteWrite();
      await sleep(200);
      // Nothing was checkpointed nor synced: journal files deleted now could lose their rows.
      expect(told).toBe(0);
      other.kill('SIGKILL');
      await exited;
      // Tried again once the other connection is gone.
      for (let i = 0; i < 100 && told === 0; i++) await sleep(10);
      expect(told).toBe(1);
      checkpointer.stop();
    } finally {
      other.kill('SIGKILL');
      await exited;
    }
  });
});
