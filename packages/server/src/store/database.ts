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
  private worker: Worker | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private lastWriteAt = 0;
  private isStopped = false;
  /** WAL frames the worker has copied into the database so far (for tests and diagnostics). */
  framesCheckpointed = 0;

  constructor(
    private readonly db: Database,
    private readonly path: string,
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
    /** The worker (≈10 MiB) runs only while events are written; it stops after this long without. */
    private readonly idleMs = 30_000,
  ) {
    db.pragma('wal_autocheckpoint = 0');
  }

  /** Called on every event append: cheap, and starts the worker when writing begins. */
  noteWrite(): void {
    this.lastWriteAt = Date.now();
    if (!this.worker && !this.isStopped) this.startWorker();
  }

  /** Stop the worker and fold the WAL back into the database (called before closing it). */
  async stop(): Promise<void> {
    if (this.isStopped) return;
    this.isStopped = true;
    await this.stopWorker();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  private startWorker(): void {
    const worker = new Worker(workerScript(), {
      workerData: { path: this.path, intervalMs: this.intervalMs },
    });
    this.worker = worker;
    worker.unref();
    worker.on('message', (message: { error?: string; checkpointed?: number }) => {
      if (message.error) this.logger.warn(`WAL checkpoint failed: ${message.error}`);
      if (message.checkpointed) this.framesCheckpointed += message.checkpointed;
    });
    worker.on('error', (error) => {
      this.logger.warn(`WAL checkpoint worker died (${error.message}); checkpointing inline again`);
      if (!this.isStopped) this.db.pragma('wal_autocheckpoint = 1000');
      this.isStopped = true;
    });
    this.idleTimer = setInterval(
      () => {
        if (Date.now() - this.lastWriteAt < this.idleMs) return;
        void this.stopWorker().then(() => {
          // Quiet now: fold in what was written since the worker's last pass, off the hot path.
          if (!this.isStopped) this.db.pragma('wal_checkpoint(PASSIVE)');
        });
      },
      Math.min(this.idleMs, 10_000),
    );
    this.idleTimer.unref();
  }

  private async stopWorker(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('stop');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    await worker.terminate();
  }
}

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
