import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Logger } from '../logger.js';
import { migrations } from './migrations.js';

export type Database = BetterSqlite3.Database;

/**
 * Opens (creating if needed) the app database in WAL mode and brings its schema up to date.
 * better-sqlite3 is synchronous on purpose: an event is durably appended and fanned out in the same
 * tick, so replay and live delivery can never interleave out of order.
 */
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
