import type { NewSessionEvent, SessionEventType, StoredEvent } from '@chatml/protocol';
import { type Database, syncWal } from './database.js';
import { EventInserter } from './event-insert.js';
import { EventJournal, type JournalRow } from './event-journal.js';
import type { MovedReply } from './event-mover-client.js';
import {
  ACTIVITY_EVENT_TYPES,
  ACTIVITY_TYPES_SQL,
  type EncodedEvent,
  type EventRow,
  encodeStored,
  toEvent,
} from './event-rows.js';
import { JournalMoves, type JournalMovesOptions, refusedError } from './journal-moves.js';
import { PendingRows } from './pending-rows.js';
import { prepared } from './prepared.js';

export { ACTIVITY_EVENT_TYPES, type EncodedEvent } from './event-rows.js';

const AFTER = `SELECT seq, type, ts, payload FROM events WHERE session_id = @sessionId AND seq > @afterSeq`;

export interface EventStoreOptions extends JournalMovesOptions {
  /** The journal's base path (`journalPathFor(databasePath)`); none: rows wait in memory only. */
  journalPath?: string | null;
  /** Lines of the last run's journal left out: batches a crash or a failed write cut short. */
  onSkippedJournalLines?: (count: number) => void;
  /** A journal file that could not be read or deleted (it is left where it is). */
  onJournalProblem?: (problem: string) => void;
}

/**
 * The append-only per-session event log. `append` assigns the next seq and writes the event to the
 * journal (store/event-journal.ts) before it returns — inside `transaction`, one write for all its
 * events, before the transaction ends — so whatever is fanned out afterwards is already durable
 * (as durable as a SQLite commit with `synchronous = NORMAL`) and replayable.
 *
 * Events reach SQLite later, in bulk: every `moveAfterMs` (or `moveAfterRows`) the journal's
 * current file is sealed and its rows are inserted into `events`, sorted by session and seq, a
 * slice per transaction, then the file is deleted. Until then they are read from memory. Why not
 * commit each loop turn's events: with 20 sessions streaming that was ~2,800 SQLite commits a
 * second and the backend's largest cost per event — with no storage at all the hub latency
 * matched a bare relay (docs/PERFORMANCE.md §1) — while one write per turn to a file costs a
 * system call.
 *
 * With an event mover (`options.mover`), sealed files are handed to that process, which inserts
 * them with its own connection and says when they are durable; their rows leave memory then.
 * The backend moves rows itself when there is no mover, when it is too far behind or failing, and
 * at close. Moving a row twice is harmless (EventInserter).
 *
 * Every read covers both places. A row may be in both for a moment (committed by the mover, its
 * reply not handled yet), never in neither: it leaves memory only once committed. Reads take the
 * database's rows and then only the newer rows from memory.
 */
export class EventStore {
  private readonly lastSeqBySession = new Map<string, number>();
  /** `activitySeq` per session: read from the table once, then kept up to date by `append`. */
  private readonly activitySeqBySession = new Map<string, number>();
  /** The rows not in the database yet. */
  private readonly pending = new PendingRows();
  /** Rows appended by the transaction in progress, written to the journal when it ends. */
  private batchRows: JournalRow[] | null = null;
  private readonly moves: JournalMoves;
  private isClosed = false;
  private readonly journal: EventJournal;
  private readonly afterStatement;
  private readonly maxSeqStatement;
  private readonly lastActivityStatement;

  constructor(
    private readonly db: Database,
    options: EventStoreOptions = {},
  ) {
    const inserter = new EventInserter(db);
    this.afterStatement = prepared(db, `${AFTER} ORDER BY seq LIMIT @limit`);
    this.maxSeqStatement = prepared(db, 'SELECT MAX(seq) AS seq FROM events WHERE session_id = @sessionId');
    // Walks the (session_id, seq) key backwards and stops at the first match, usually a few rows
    // from the end.
    this.lastActivityStatement = prepared(
      db,
      `SELECT seq FROM events WHERE session_id = @sessionId AND type IN (${ACTIVITY_TYPES_SQL})
        ORDER BY seq DESC LIMIT 1`,
    );
    // What the last run wrote but had not moved (it may have been killed): into the database
    // first, before any seq is read. If that fails, the backend cannot start: its log would be
    // missing events it already showed.
    const { journal, recovered } = EventJournal.open(options.journalPath ?? null, options.onJournalProblem);
    this.journal = journal;
    if (recovered.skippedLines > 0) options.onSkippedJournalLines?.(recovered.skippedLines);
    if (recovered.rows.length > 0) {
      for (const { row, error } of inserter.insert(recovered.rows))
        options.onMoveError?.(refusedError({ ...row, message: error.message }));
      // Durable before the journal files go (dropAll, below).
      syncWal(db);
      options.onDatabaseWrite?.();
    }
    this.journal.dropAll();
    this.moves = new JournalMoves(db, journal, this.pending, inserter, options);
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
    if (this.isClosed) throw new Error('the event store is closed');
    const seq = this.lastSeq(sessionId) + 1;
    const payload: string | undefined = JSON.stringify(event.payload);
    // Refused before it is written or sent: the database would refuse it later, after clients had it.
    if (typeof payload !== 'string')
      throw new Error(`a ${event.type} event without a payload cannot be stored`);
    const row: JournalRow = { sessionId, seq, type: event.type, ts, payload };
    // Outside a transaction the row is written now; a failed write throws before anything changed.
    if (this.batchRows) this.batchRows.push(row);
    else this.journal.append([row]);
    this.pending.add(row);
    this.lastSeqBySession.set(sessionId, seq);
    if (ACTIVITY_EVENT_TYPES.has(event.type)) this.activitySeqBySession.set(sessionId, seq);
    this.moves.appended(row);
    return {
      event: { seq, type: event.type, ts, payload: event.payload },
      json: encodeStored(seq, event.type, ts, payload),
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
      seq =
        this.pending.lastSeq(sessionId) ??
        (this.maxSeqStatement.get({ sessionId }) as { seq: number | null }).seq ??
        0;
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
      seq = this.pending.lastSeqOf(sessionId, ACTIVITY_EVENT_TYPES);
      seq ??= (this.lastActivityStatement.get({ sessionId }) as { seq: number } | undefined)?.seq ?? 0;
      this.activitySeqBySession.set(sessionId, seq);
    }
    return seq;
  }

  /**
   * Events of the given types, oldest first: used on start-up to find turns a crash cut short, and
   * to tell what became of a message that is no longer queued.
   */
  ofTypes(sessionId: string, types: readonly SessionEventType[]): StoredEvent[] {
    const named = Object.fromEntries(types.map((type, i) => [`type${i}`, type]));
    const inList = Object.keys(named)
      .map((name) => `@${name}`)
      .join(', ');
    const rows = prepared(this.db, `${AFTER} AND type IN (${inList}) ORDER BY seq`).all({
      sessionId,
      afterSeq: 0,
      ...named,
    }) as EventRow[];
    // A row the mover committed whose reply is not handled yet is in both places.
    const stored = new Set(rows.map((row) => row.seq));
    for (const row of this.pending.ofTypes(sessionId, new Set(types)))
      if (!stored.has(row.seq)) rows.push(row);
    return rows.map(toEvent);
  }

  /**
   * Run `work` as one batch of events: they are written to the journal with one write as it ends.
   * If it throws (or that write fails), its events are forgotten — their seqs are given out again —
   * and nothing of it may be sent. Other writes `work` makes to the database are its own: wrapping
   * every batch in a SQLite transaction cost a BEGIN/COMMIT per loop turn (4–5% of the backend's
   * CPU while streaming) for writes that are rare and do not need to be atomic with the log.
   */
  transaction<T>(work: () => T): T {
    if (this.batchRows) return work();
    const rows: JournalRow[] = [];
    this.batchRows = rows;
    try {
      const result = work();
      this.journal.append(rows);
      return result;
    } catch (error) {
      this.unappend(rows);
      throw error;
    } finally {
      this.batchRows = null;
    }
  }

  /**
   * Move every event still in the journal into the database and delete the journal's files: at
   * close, so the next start has nothing to recover; tests use it to look at the table itself.
   */
  persist(): void {
    this.moves.moveAll();
  }

  /** See JournalMoves.markDurable. */
  markDurable(): void {
    this.moves.markDurable();
  }

  /** See JournalMoves.moved: the mover's reply for a file it was handed. */
  moved(reply: MovedReply): void {
    this.moves.moved(reply);
  }

  /** See JournalMoves.moveLost: files the mover will not move. */
  moveLost(generations: readonly number[]): void {
    this.moves.moveLost(generations);
  }

  /** `persist`, then stop: later appends are a programming error, not a silent loss. */
  close(): void {
    this.persist();
    this.moves.close();
    this.isClosed = true;
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

  /** Rows not in the database yet (for tests and diagnostics). */
  get pendingRows(): number {
    return this.pending.size;
  }

  private unappend(rows: readonly JournalRow[]): void {
    // The batch's rows are the last of their sessions: no move runs inside a transaction. They are
    // also the last rows of the journal's current file.
    this.pending.removeNewest(rows);
    this.moves.unappended(rows.length);
    for (const row of rows) this.forget(row.sessionId);
  }

  private rowsAfter(sessionId: string, afterSeq: number, limit: number): EventRow[] {
    const rows = this.afterStatement.all({ sessionId, afterSeq, limit }) as EventRow[];
    // Only what is newer than the database's rows: a row the mover committed whose reply is not
    // handled yet is in both places.
    this.pending.appendAfter(sessionId, rows.at(-1)?.seq ?? afterSeq, limit, rows);
    return rows;
  }
}
