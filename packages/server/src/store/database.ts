import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { Logger } from '../logger.js';
import { migrations } from './migrations.js';

export type Database = BetterSqlite3.Database;

/**
 * Moves WAL checkpoints off the main thread. SQLite checkpoints inline every 1000 pages by default,
 * and each one fsyncs the database: stalls of 10–25 ms right in the path from a runner's line to
 * the WebSocket (bench/probes/sqlite-append.mjs). Here the writer never checkpoints; a worker with
 * its own connection does, passively. Should the worker die, inline checkpoints come back.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private isStopped = false;
  /** WAL frames the worker has copied into the database so far (for tests and diagnostics). */
  framesCheckpointed = 0;

  constructor(
    private readonly db: Database,
    path: string,
    logger: Logger,
    intervalMs = 1000,
  ) {
    db.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(workerScript(), { workerData: { path, intervalMs } });
    this.worker.unref();
    this.worker.on('message', (message: { error?: string; checkpointed?: number }) => {
      if (message.error) logger.warn(`WAL checkpoint failed: ${message.error}`);
      if (message.checkpointed) this.framesCheckpointed += message.checkpointed;
    });
    this.worker.on('error', (error) => {
      logger.warn(`WAL checkpoint worker died (${error.message}); checkpointing inline again`);
      if (!this.isStopped) db.pragma('wal_autocheckpoint = 1000');
    });
  }

  /** Stop the worker and fold the WAL back into the database (called before closing it). */
  async stop(): Promise<void> {
    if (this.isStopped) return;
    this.isStopped = true;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage('stop');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    await this.worker.terminate();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }
}

/**
 * Opens (creating if needed) the app database in WAL mode and brings its schema up to date.
 * better-sqlite3 is synchronous on purpose: an event is durably appended and fanned out in the same
 * tick, so replay and live delivery can never interleave out of order.
 */
/** The compiled worker; when running from sources (tests), the build's copy next to them. */
function workerScript(): URL {
  const beside = new URL('./checkpoint-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL(beside.href.replace('/src/store/', '/dist/store/'));
}

export function openDatabase(path: string, logger: Logger): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable against app crashes in WAL mode; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, logger);
  return db;
}

function migrate(db: Database, logger: Logger): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  let version = row?.version ?? 0;
  if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  if (version > migrations.length) {
    throw new Error(
      `The database was written by a newer ChatML (schema ${version}, this build knows ${migrations.length}). Update ChatML.`,
    );
  }
  while (version < migrations.length) {
    const sql = migrations[version]!;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
    })();
    version += 1;
    logger.info(`database migrated to schema ${version}`);
  }
}
