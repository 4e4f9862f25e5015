import { closeSync, fdatasync, fdatasyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Logger } from '../logger.js';
import { migrations } from './migrations.js';
import { pragma, prepared, retain, transactionRunner } from './prepared.js';

export type Database = BetterSqlite3.Database;

/**
 * Keeps WAL checkpoints from stalling the stream. A checkpoint copies the WAL's pages into the
 * database and, with `synchronous = NORMAL`, fsyncs the WAL before and the database after — on the
 * event loop, since better-sqlite3 is synchronous. Left to SQLite (inline, every 1000 pages by
 * default; at 16k pages here) one took 10–130 ms in the path from a runner's line to the WebSocket
 * (bench/probes/sqlite-append.mjs, bench/hub-latency.mjs).
 *
 * So: once writing pauses (`idleMs` without an append) the WAL is checkpointed at once. While
 * writing goes on, every `busyIntervalMs` the WAL is first fdatasync'ed on libuv's thread pool — off
 * the event loop — and only then checkpointed, which leaves the checkpoint little to sync: 2.5 ms for
 * 660 pages instead of 10 ms, 9 ms for 15,500 instead of 126 ms (bench/probes/wal-checkpoint.mjs).
 * Each checkpoint still pays ~2 ms of fixed cost (the database's own fsync), so while busy they come
 * once a second rather than often: 20 sessions streaming write ~6,000 pages a second. The inline
 * threshold stays as the bound on WAL growth if the event loop is ever too busy for the timer.
 *
 * While the event mover process (store/event-mover.ts) is running it moves the event log into the
 * database and checkpoints the WAL itself, with its own connection; this checkpointer then only
 * follows the writes the backend makes itself (start-up recovery, moves it makes when the mover is
 * not there). A worker thread was not used for either: better-sqlite3 can abort the process when a
 * worker's isolate is torn down with its objects alive.
 */
export class WalCheckpointer {
  private timer: NodeJS.Timeout | null = null;
  private lastWriteAt = 0;
  private lastCheckpointAt = 0;
  private isStopped = false;
  /** An fdatasync of the WAL is running on the thread pool; its fd must stay open until it ends. */
  private isSyncing = false;
  private walFd: number | null = null;
  private readonly walPath: string | null;
  /** WAL frames checkpointed so far (for tests and diagnostics). */
  framesCheckpointed = 0;
  /** Checkpoints made while writing went on (for tests and diagnostics). */
  busyCheckpoints = 0;
  /** Told after each checkpoint: everything committed before it is synced to disk now. */
  onCheckpoint: () => void = () => {};
  /** Told when a checkpoint failed (it is tried again later). */
  onError: (error: Error) => void = () => {};

  constructor(
    private readonly db: Database,
    private readonly idleMs = 500,
    private readonly busyIntervalMs = 1000,
    /** Pages (4 KiB) the WAL may reach before SQLite checkpoints inline anyway. */
    inlineThresholdPages = 16_384,
  ) {
    pragma(db, `wal_autocheckpoint = ${inlineThresholdPages}`);
    this.walPath = db.memory ? null : `${db.name}-wal`;
    this.lastCheckpointAt = Date.now();
  }

  /** Called on every append; costs a timestamp, and arms one timer while writes come in. */
  noteWrite(): void {
    this.lastWriteAt = Date.now();
    if (!this.timer && !this.isStopped) this.arm(Math.min(this.idleMs, this.busyIntervalMs));
  }

  /** Fold the WAL back into the database (called before closing it). */
  stop(): void {
    this.isStopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.isSyncing) this.closeWal();
    pragma(this.db, 'wal_checkpoint(TRUNCATE)');
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => this.onTimer(), delayMs);
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = null;
    if (this.isStopped) return;
    const now = Date.now();
    const quietFor = now - this.lastWriteAt;
    if (quietFor >= this.idleMs) {
      this.checkpoint();
      return; // the next write arms the timer again
    }
    if (now - this.lastCheckpointAt >= this.busyIntervalMs) this.syncThenCheckpoint();
    this.arm(Math.min(this.busyIntervalMs, this.idleMs - quietFor));
  }

  private syncThenCheckpoint(): void {
    if (this.isSyncing || this.walPath === null) return;
    try {
      this.walFd ??= openSync(this.walPath, 'r');
    } catch {
      this.checkpoint(); // no WAL file to sync (not in WAL mode yet?): SQLite knows best
      return;
    }
    this.isSyncing = true;
    fdatasync(this.walFd, () => {
      this.isSyncing = false;
      if (this.isStopped) {
        this.closeWal();
        return;
      }
      // Whatever the sync's outcome, the checkpoint itself syncs what is still unsynced.
      this.checkpoint();
    });
  }

  private checkpoint(): void {
    if (!this.db.open) return; // closed without stop() (a test's teardown): nothing left to fold in
    this.lastCheckpointAt = Date.now();
    let result: { busy?: number; checkpointed: number } | undefined;
    try {
      [result] = pragma(this.db, 'wal_checkpoint(PASSIVE)') as { busy?: number; checkpointed: number }[];
    } catch (error) {
      // A full or failing disk: the WAL keeps the data and the next checkpoint tries again. It runs
      // from a timer, so a throw here would take the whole backend down.
      this.onError(error as Error);
      return;
    }
    if (result?.busy) {
      // Another connection (the event mover) is checkpointing: this one did nothing, synced nothing,
      // so nothing may be called durable yet. Tried again shortly.
      if (!this.timer && !this.isStopped) this.arm(this.idleMs);
      return;
    }
    const frames = Math.max(0, result?.checkpointed ?? 0);
    this.framesCheckpointed += frames;
    if (Date.now() - this.lastWriteAt < this.idleMs) this.busyCheckpoints += 1;
    this.onCheckpoint();
  }

  private closeWal(): void {
    if (this.walFd === null) return;
    try {
      closeSync(this.walFd);
    } catch {
      // Already closed: nothing to release.
    }
    this.walFd = null;
  }
}

/**
 * Gives the memory SQLite holds for this connection back (`PRAGMA shrink_memory`: the page cache,
 * which fills as the event log is written and read and otherwise stays resident). The next query
 * reads its pages from the OS's file cache again.
 */
export function releaseDatabaseMemory(db: Database): void {
  if (db.open) pragma(db, 'shrink_memory');
}

export function openDatabase(path: string, logger: Logger): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  retain(db);
  // Normal (shared) locking: the event mover process opens the database too. Exclusive locking
  // saved 10–15% of each append when every event was its own INSERT (bench/probes/sqlite-append.mjs);
  // events reach SQLite in bulk now, mostly from the mover.
  pragma(db, 'journal_mode = WAL');
  // NORMAL is durable against app crashes in WAL mode; only an OS crash can lose the last commits.
  pragma(db, 'synchronous = NORMAL');
  pragma(db, 'foreign_keys = ON');
  pragma(db, 'busy_timeout = 5000');
  migrate(db, logger);
  return db;
}

/**
 * Sync the database's WAL file now: with `synchronous = NORMAL` a commit reaches the WAL but is
 * synced only at a checkpoint, so this is what makes the commits before it durable — before the
 * journal files they came from are deleted. No WAL file (an in-memory database, or one a checkpoint
 * folded in and synced): nothing to do.
 */
export function syncWal(db: Database): void {
  if (db.memory) return;
  let fd: number;
  try {
    fd = openSync(`${db.name}-wal`, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The schema version this build migrates databases to. */
export const SCHEMA_VERSION = migrations.length;

/**
 * Open the backend's database from the event mover process: no migrations (the backend ran them),
 * and the schema must be exactly the one the backend expects, or the mover would write rows the
 * backend cannot read.
 */
export function openMoverDatabase(path: string, schemaVersion: number): Database {
  const db = new BetterSqlite3(path, { fileMustExist: true });
  retain(db);
  pragma(db, 'busy_timeout = 5000');
  pragma(db, 'synchronous = NORMAL');
  // The mover checkpoints on its own schedule (after its moves, off the backend's event loop).
  pragma(db, 'wal_autocheckpoint = 0');
  const [mode] = pragma(db, 'journal_mode') as { journal_mode: string }[];
  if (mode?.journal_mode !== 'wal')
    throw new Error(`the database is not in WAL mode (${mode?.journal_mode})`);
  const row = prepared(db, 'SELECT version FROM schema_version').get() as { version: number } | undefined;
  if (row?.version !== schemaVersion)
    throw new Error(
      `the database has schema ${row?.version ?? 'none'}, the backend expects ${schemaVersion}`,
    );
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
