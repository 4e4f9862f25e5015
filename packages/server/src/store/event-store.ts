import type { NewSessionEvent, SessionEventType, StoredEvent } from '@chatml/protocol';
import type { Database } from './database.js';
import { prepared, transactionRunner } from './prepared.js';

interface EventRow {
  seq: number;
  type: SessionEventType;
  ts: number;
  payload: string;
}

function toEvent(row: EventRow): StoredEvent {
  return { seq: row.seq, type: row.type, ts: row.ts, payload: JSON.parse(row.payload) };
}

/**
 * The append-only per-session event log. `append` assigns the next seq and writes the row before it
 * returns, so whatever is fanned out afterwards is already durable and replayable.
 */
export class EventStore {
  private readonly lastSeqBySession = new Map<string, number>();
  private readonly insertStatement;
  private readonly afterStatement;
  private readonly maxSeqStatement;
  private readonly runInTransaction: <T>(work: () => T) => T;

  constructor(
    private readonly db: Database,
    /** Told after every append (the WAL checkpointer wakes up on writes). */
    private readonly onAppend: () => void = () => {},
  ) {
    this.insertStatement = prepared(
      db,
      'INSERT INTO events (session_id, seq, type, ts, payload) VALUES (?, ?, ?, ?, ?)',
    );
    this.afterStatement = prepared(
      db,
      'SELECT seq, type, ts, payload FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.maxSeqStatement = prepared(db, 'SELECT MAX(seq) AS seq FROM events WHERE session_id = ?');
    this.runInTransaction = transactionRunner(db);
  }

  append(sessionId: string, event: NewSessionEvent, ts = Date.now()): StoredEvent {
    const seq = this.lastSeq(sessionId) + 1;
    this.insertStatement.run(sessionId, seq, event.type, ts, JSON.stringify(event.payload));
    this.lastSeqBySession.set(sessionId, seq);
    this.onAppend();
    return { seq, type: event.type, ts, payload: event.payload };
  }

  /** Events with seq greater than `afterSeq`, oldest first, at most `limit`. */
  after(sessionId: string, afterSeq: number, limit = 1000): StoredEvent[] {
    return (this.afterStatement.all(sessionId, afterSeq, limit) as EventRow[]).map(toEvent);
  }

  lastSeq(sessionId: string): number {
    let seq = this.lastSeqBySession.get(sessionId);
    if (seq === undefined) {
      seq = (this.maxSeqStatement.get(sessionId) as { seq: number | null }).seq ?? 0;
      this.lastSeqBySession.set(sessionId, seq);
    }
    return seq;
  }

  /** Events of the given types, oldest first: used on start-up to find turns a crash cut short. */
  ofTypes(sessionId: string, types: readonly SessionEventType[]): StoredEvent[] {
    const placeholders = types.map(() => '?').join(', ');
    const rows = prepared(
      this.db,
      `SELECT seq, type, ts, payload FROM events WHERE session_id = ? AND type IN (${placeholders}) ORDER BY seq`,
    ).all(sessionId, ...types) as EventRow[];
    return rows.map(toEvent);
  }

  /** Run `work` in one transaction: many appends, one commit (and one WAL write). */
  transaction<T>(work: () => T): T {
    return this.runInTransaction(work);
  }

  /** Drop every cached seq (after a failed transaction the cache may be ahead of the table). */
  forgetAll(): void {
    this.lastSeqBySession.clear();
  }

  forget(sessionId: string): void {
    this.lastSeqBySession.delete(sessionId);
  }
}
