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

const COLUMNS = 'session_id, seq, type, ts, payload';

/**
 * Events that are conversation activity — what the user would call news in a session: their own
 * messages, the agent's output and tool calls, questions for them, turn ends and errors. The rest is
 * bookkeeping (runner started/stopped, agent ready, status changes, a queued turn starting, a prompt
 * resolved by the backend, settings, git operations the user ran): a backend restart appends some
 * of those to every session, and must not make them look unread. See `activitySeq`.
 */
export const ACTIVITY_EVENT_TYPES: ReadonlySet<SessionEventType> = new Set<SessionEventType>([
  'user_message',
  'stream_delta',
  'assistant_message',
  'tool_use',
  'tool_result',
  'permission_requested',
  'turn_ended',
  'error_reported',
]);
const ACTIVITY_TYPES_SQL = [...ACTIVITY_EVENT_TYPES].map((type) => `'${type}'`).join(', ');

/** Both tables' rows of one session after a seq: every read of the log goes through this. */
const BOTH_TABLES = `SELECT seq, type, ts, payload FROM events WHERE session_id = @sessionId AND seq > @afterSeq
  UNION ALL SELECT seq, type, ts, payload FROM events_recent WHERE session_id = @sessionId AND seq > @afterSeq`;

export interface EventStoreOptions {
  /** Told after every append (the WAL checkpointer wakes up on writes). */
  onAppend?: () => void;
  /** Rows `events_recent` may hold before they are moved to `events` (see the class comment). */
  settleAfterRows?: number;
  /** A move that failed (the rows stay where they are, readable, and are moved later). */
  onSettleError?: (error: Error) => void;
}

/**
 * The append-only per-session event log. `append` assigns the next seq and writes the row before it
 * returns, so whatever is fanned out afterwards is already durable and replayable.
 *
 * Appends go to `events_recent`, a rowid table written at its end, and are moved to `events` (keyed
 * by session and seq) in bulk once a few hundred have gathered — in the next loop turn, so never
 * inside the batch whose events are waiting to be sent — and when the store opens and closes.
 * Streaming sessions interleave: appended straight to `events`, each commit of a loop turn's events
 * wrote one B-tree leaf per session, ~2.4 WAL pages per event with 20 sessions streaming, and the
 * commit was the backend's largest cost per delta. Through `events_recent` it is ~0.4 pages and a
 * third of the time, the move included (bench/probes/sqlite-append.mjs). Every read covers both
 * tables; a row is in exactly one of them, as the move is one transaction.
 */
export class EventStore {
  private readonly lastSeqBySession = new Map<string, number>();
  /** `activitySeq` per session: read from the tables once, then kept up to date by `append`. */
  private readonly activitySeqBySession = new Map<string, number>();
  private readonly insertStatement;
  private readonly afterStatement;
  private readonly maxSeqStatement;
  private readonly lastActivityStatement;
  private readonly lastRecentActivityStatement;
  private readonly runInTransaction: <T>(work: () => T) => T;
  private readonly onAppend: () => void;
  private readonly settleAfterRows: number;
  private readonly onSettleError: (error: Error) => void;
  /** Rows appended since the last move (an estimate after a rolled-back batch; it only times moves). */
  private recentRows = 0;
  private isSettleScheduled = false;

  constructor(
    private readonly db: Database,
    options: EventStoreOptions = {},
  ) {
    this.onAppend = options.onAppend ?? (() => {});
    this.settleAfterRows = options.settleAfterRows ?? 512;
    this.onSettleError = options.onSettleError ?? (() => {});
    this.insertStatement = prepared(db, `INSERT INTO events_recent (${COLUMNS}) VALUES (?, ?, ?, ?, ?)`);
    this.afterStatement = prepared(db, `${BOTH_TABLES} ORDER BY seq LIMIT @limit`);
    this.maxSeqStatement = prepared(
      db,
      `SELECT MAX(seq) AS seq FROM (SELECT MAX(seq) AS seq FROM events WHERE session_id = @sessionId
        UNION ALL SELECT MAX(seq) FROM events_recent WHERE session_id = @sessionId)`,
    );
    // Walks the (session_id, seq) key backwards and stops at the first match, usually a few rows
    // from the end; `events_recent` is small (it is emptied every few hundred appends).
    this.lastActivityStatement = prepared(
      db,
      `SELECT seq FROM events WHERE session_id = @sessionId AND type IN (${ACTIVITY_TYPES_SQL})
        ORDER BY seq DESC LIMIT 1`,
    );
    this.lastRecentActivityStatement = prepared(
      db,
      `SELECT MAX(seq) AS seq FROM events_recent WHERE session_id = @sessionId AND type IN (${ACTIVITY_TYPES_SQL})`,
    );
    this.runInTransaction = transactionRunner(db);
    // A previous run's last appends (it may have been killed before it could move them). If they
    // cannot be moved now they stay readable where they are: no reason not to start.
    this.trySettle();
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
    if (ACTIVITY_EVENT_TYPES.has(event.type)) this.activitySeqBySession.set(sessionId, seq);
    this.recentRows += 1;
    if (this.recentRows >= this.settleAfterRows) this.scheduleSettle();
    this.onAppend();
    return {
      event: { seq, type: event.type, ts, payload: event.payload },
      json: encodeStored(seq, event.type, ts, payloadJson),
    };
  }

  /** Events with seq greater than `afterSeq`, oldest first, at most `limit`. */
  after(sessionId: string, afterSeq: number, limit = 1000): StoredEvent[] {
    return this.rowsAfter(sessionId, afterSeq, limit).map(toEvent);
  }

  /** `after`, as JSON straight from the rows (replay sends these without parsing the payloads). */
  afterEncoded(sessionId: string, afterSeq: number, limit = 1000): EncodedEvent[] {
    return this.rowsAfter(sessionId, afterSeq, limit).map((row) => ({
      seq: row.seq,
      json: encodeStored(row.seq, row.type, row.ts, row.payload),
    }));
  }

  lastSeq(sessionId: string): number {
    let seq = this.lastSeqBySession.get(sessionId);
    if (seq === undefined) {
      seq = (this.maxSeqStatement.get({ sessionId }) as { seq: number | null }).seq ?? 0;
      this.lastSeqBySession.set(sessionId, seq);
    }
    return seq;
  }

  /**
   * The seq of the session's last conversation event (`ACTIVITY_EVENT_TYPES`), 0 when it has none:
   * what "unread" compares, so lifecycle bookkeeping (a restart) does not count as news.
   */
  activitySeq(sessionId: string): number {
    let seq = this.activitySeqBySession.get(sessionId);
    if (seq === undefined) {
      const settled =
        (this.lastActivityStatement.get({ sessionId }) as { seq: number } | undefined)?.seq ?? 0;
      const recent = (this.lastRecentActivityStatement.get({ sessionId }) as { seq: number | null }).seq ?? 0;
      seq = Math.max(settled, recent);
      this.activitySeqBySession.set(sessionId, seq);
    }
    return seq;
  }

  /** Events of the given types, oldest first: used on start-up to find turns a crash cut short. */
  ofTypes(sessionId: string, types: readonly SessionEventType[]): StoredEvent[] {
    const named = Object.fromEntries(types.map((type, i) => [`type${i}`, type]));
    const inList = Object.keys(named)
      .map((name) => `@${name}`)
      .join(', ');
    const rows = prepared(
      this.db,
      `SELECT * FROM (${BOTH_TABLES}) WHERE type IN (${inList}) ORDER BY seq`,
    ).all({ sessionId, afterSeq: 0, ...named }) as EventRow[];
    return rows.map(toEvent);
  }

  /**
   * Move every row of `events_recent` to `events`, sorted by session and seq so each session's rows
   * land together. Called on its own once enough have gathered; also before closing the database.
   */
  settle(): void {
    this.runInTransaction(() => {
      prepared(
        this.db,
        `INSERT INTO events (${COLUMNS}) SELECT ${COLUMNS} FROM events_recent ORDER BY session_id, seq`,
      ).run();
      prepared(this.db, 'DELETE FROM events_recent').run();
    });
    this.recentRows = 0;
  }

  private scheduleSettle(): void {
    if (this.isSettleScheduled) return;
    this.isSettleScheduled = true;
    // The next loop turn: the batch that made the rows commits and sends first.
    setImmediate(() => {
      this.isSettleScheduled = false;
      if (!this.db.open || this.recentRows < this.settleAfterRows) return;
      this.trySettle();
    });
  }

  /** `settle`, reporting a failure instead of throwing; the rows stay where every read finds them. */
  trySettle(): void {
    try {
      this.settle();
    } catch (error) {
      // Try again after as many more appends, rather than on every one.
      this.recentRows = 0;
      this.onSettleError(error as Error);
    }
  }

  private rowsAfter(sessionId: string, afterSeq: number, limit: number): EventRow[] {
    return this.afterStatement.all({ sessionId, afterSeq, limit }) as EventRow[];
  }

  /** Run `work` in one transaction: many appends, one commit (and one WAL write). */
  transaction<T>(work: () => T): T {
    return this.runInTransaction(work);
  }

  /** Drop every cached seq (after a failed transaction the cache may be ahead of the table). */
  forgetAll(): void {
    this.lastSeqBySession.clear();
    this.activitySeqBySession.clear();
  }

  forget(sessionId: string): void {
    this.lastSeqBySession.delete(sessionId);
    this.activitySeqBySession.delete(sessionId);
  }
}
