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

/** A StoredEvent's JSON, spliced around the payload JSON the row already holds (no re-encoding). */
function encodeStored(seq: number, type: string, ts: number, payloadJson: string): string {
  return `{"seq":${seq},"type":${JSON.stringify(type)},"ts":${ts},"payload":${payloadJson}}`;
}

/** A stored event as JSON, ready to splice into a frame. */
export interface EncodedEvent {
  seq: number;
  json: string;
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
    return this.appendEncoded(sessionId, event, ts).event;
  }

  /** `append`, also returning the stored event's JSON (the payload is encoded once, for both). */
  appendEncoded(
    sessionId: string,
    event: NewSessionEvent,
    ts = Date.now(),
  ): { event: StoredEvent; json: string } {
    const seq = this.lastSeq(sessionId) + 1;
    const payloadJson = JSON.stringify(event.payload);
    this.insertStatement.run(sessionId, seq, event.type, ts, payloadJson);
    this.lastSeqBySession.set(sessionId, seq);
    this.onAppend();
    return {
      event: { seq, type: event.type, ts, payload: event.payload },
      json: encodeStored(seq, event.type, ts, payloadJson),
    };
  }

  /** Events with seq greater than `afterSeq`, oldest first, at most `limit`. */
  after(sessionId: string, afterSeq: number, limit = 1000): StoredEvent[] {
    return (this.afterStatement.all(sessionId, afterSeq, limit) as EventRow[]).map(toEvent);
  }

  /** `after`, as JSON straight from the rows (replay sends these without parsing the payloads). */
  afterEncoded(sessionId: string, afterSeq: number, limit = 1000): EncodedEvent[] {
    return (this.afterStatement.all(sessionId, afterSeq, limit) as EventRow[]).map((row) => ({
      seq: row.seq,
      json: encodeStored(row.seq, row.type, row.ts, row.payload),
    }));
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
