import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Logger } from '../logger.js';
import { migrations } from './migrations.js';
import { pragma, prepared, retain, transactionRunner } from './prepared.js';

export type Database = BetterSqlite3.Database;

/**
 * Keeps WAL checkpoints out of the stream. SQLite checkpoints inline every 1000 pages by default,
 * and each one fsyncs the database: stalls of 10–25 ms right in the path from a runner's line to
 * the WebSocket (bench/probes/sqlite-append.mjs). Here a checkpoint runs once writing pauses
 * (`idleMs` without an append), when nobody is waiting on the event loop; a high inline threshold
 * remains as the bound on WAL growth under endless load. (A worker thread with its own connection
 * was tried and dropped: better-sqlite3 in worker threads can crash at teardown.)
 */
export class WalCheckpointer {
  private timer: NodeJS.Timeout | null = null;
  private lastWriteAt = 0;
  private isStopped = false;
  /** WAL frames checkpointed so far (for tests and diagnostics). */
  framesCheckpointed = 0;

  constructor(
    private readonly db: Database,
    private readonly idleMs = 500,
    /** Pages (4 KiB) the WAL may reach before SQLite checkpoints inline anyway. */
    inlineThresholdPages = 16_384,
  ) {
    pragma(db, `wal_autocheckpoint = ${inlineThresholdPages}`);
  }

  /** Called on every append; costs a timestamp, and arms one timer per quiet period. */
  noteWrite(): void {
    this.lastWriteAt = Date.now();
    if (!this.timer && !this.isStopped) this.arm(this.idleMs);
  }

  /** Fold the WAL back into the database (called before closing it). */
  stop(): void {
    this.isStopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    pragma(this.db, 'wal_checkpoint(TRUNCATE)');
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      const quietFor = Date.now() - this.lastWriteAt;
      if (quietFor < this.idleMs) {
        this.arm(this.idleMs - quietFor);
        return;
      }
      const [result] = pragma(this.db, 'wal_checkpoint(PASSIVE)') as { checkpointed: number }[];
      this.framesCheckpointed += Math.max(0, result?.checkpointed ?? 0);
    }, delayMs);
    this.timer.unref();
  }
}

export function openDatabase(path: string, logger: Logger): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  retain(db);
  // The backend is the only process that opens the database (one backend per ChatML home, held by
  // the launcher's lock). Exclusive locking, set before the first WAL access, keeps the wal-index in
  // process memory and skips the file locks of every transaction: 10–15% off each append
  // (bench/probes/sqlite-append.mjs). It also means another program cannot open the database while
  // ChatML runs — it would be reading a log that is being written anyway.
  if (path !== ':memory:') pragma(db, 'locking_mode = EXCLUSIVE');
  pragma(db, 'journal_mode = WAL');
  // NORMAL is durable against app crashes in WAL mode; only an OS crash can lose the last commits.
  pragma(db, 'synchronous = NORMAL');
  pragma(db, 'foreign_keys = ON');
  pragma(db, 'busy_timeout = 5000');
  migrate(db, logger);
  return db;
}

function migrate(db: Database, logger: Logger): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = prepared(db, 'SELECT version FROM schema_version').get() as { version: number } | undefined;
  let version = row?.version ?? 0;
  if (!row) prepared(db, 'INSERT INTO schema_version (version) VALUES (0)').run();
  if (version > migrations.length) {
    throw new Error(
      `The database was written by a newer ChatML (schema ${version}, this build knows ${migrations.length}). Update ChatML.`,
    );
  }
  while (version < migrations.length) {
    const sql = migrations[version]!;
    transactionRunner(db)(() => {
      db.exec(sql);
      prepared(db, 'UPDATE schema_version SET version = ?').run(version + 1);
    });
    version += 1;
    logger.info(`database migrated to schema ${version}`);
  }
}
