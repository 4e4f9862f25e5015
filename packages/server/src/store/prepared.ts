import type BetterSqlite3 from 'better-sqlite3';

/**
 * Every statement the backend runs, prepared once per database and kept for the life of the
 * process. better-sqlite3 12 on Node 24 can abort the whole process when a Statement object is
 * garbage-collected (`RemoveEnvironmentCleanupHook: Assertion (env) != nullptr`; seen in our CI,
 * and reported by other projects during normal operation). Statements that are never collected
 * cannot trigger it — and re-preparing hot statements was wasted work anyway. The set of SQL
 * strings is small and fixed, so this holds a bounded number of objects.
 */
const retained = new Set<unknown>();
const byDatabase = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

export function prepared(db: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
  let cache = byDatabase.get(db);
  if (!cache) {
    cache = new Map();
    byDatabase.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
    retained.add(statement);
  }
  return statement;
}

/** Keep a database object for the life of the process (its destructor has the same hazard). */
export function retain(db: BetterSqlite3.Database): void {
  retained.add(db);
}

/** `db.pragma()` prepares a fresh statement each call; this one reuses it. */
export function pragma(db: BetterSqlite3.Database, text: string): unknown[] {
  const statement = prepared(db, `PRAGMA ${text}`);
  if (statement.reader) return statement.all();
  statement.run();
  return [];
}

/**
 * A transaction runner made once per database: each `db.transaction()` call prepares its own
 * BEGIN/COMMIT/ROLLBACK statements, which must not be left for the collector either.
 *
 * Transactions begin IMMEDIATE (taking the write lock at once, waiting for it under busy_timeout):
 * the event mover process writes to the same database, and a deferred transaction that read first
 * would fail with SQLITE_BUSY_SNAPSHOT, without waiting, if the mover committed before it wrote.
 */
export function transactionRunner(db: BetterSqlite3.Database): <T>(work: () => T) => T {
  const run = db.transaction((work: () => unknown) => work());
  retained.add(run);
  return ((work: () => unknown) => run.immediate(work)) as <T>(work: () => T) => T;
}
