import type { Database } from './database.js';
import type { JournalRow } from './event-journal.js';
import { prepared, transactionRunner } from './prepared.js';

/** A row the database rejected for what it is (a constraint), so it was left out of the log. */
export interface RefusedRow {
  row: JournalRow;
  error: Error;
}

/**
 * Puts journal rows into the `events` table, a batch per transaction: the one write path of the
 * event log into SQLite, shared by the backend (start-up recovery, moves it makes itself) and the
 * event mover process (store/event-mover.ts).
 *
 * Moving a row twice changes nothing (REPLACE with the same values), which is what lets the backend
 * move rows itself when the mover is slow or gone without asking what the mover already did. REPLACE
 * also makes the journal's last line for a seq the one that counts (see EventJournal). Rows of a
 * session that was deleted while they waited are dropped, not resurrected.
 */
export class EventInserter {
  private readonly statement;
  private readonly runInTransaction: <T>(work: () => T) => T;

  constructor(db: Database) {
    this.statement = prepared(
      db,
      `INSERT OR REPLACE INTO events (session_id, seq, type, ts, payload) SELECT ?, ?, ?, ?, ?
        WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ?)`,
    );
    this.runInTransaction = transactionRunner(db);
  }

  /**
   * Insert `rows[from..to)` in one transaction. A row the database refuses for what it is would
   * block every move behind it forever, so it is left out and returned; anything else (a full disk,
   * I/O) throws, and nothing of the batch is stored.
   */
  insert(rows: readonly JournalRow[], from = 0, to = rows.length): RefusedRow[] {
    const refused: RefusedRow[] = [];
    this.runInTransaction(() => {
      for (let i = from; i < to; i++) {
        const row = rows[i] as JournalRow;
        try {
          this.statement.run(row.sessionId, row.seq, row.type, row.ts, row.payload, row.sessionId);
        } catch (error) {
          if (!String((error as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')) throw error;
          refused.push({ row, error: error as Error });
        }
      }
    });
    return refused;
  }
}
