import type { SessionEventType } from '@chatml/protocol';
import type { JournalRow } from './event-journal.js';

/**
 * One session's pending rows in seq order. Rows leave from the front (moved) or the back (a failed
 * batch); the front is an index rather than `shift()`, which copies the whole array once it is
 * large (V8 cannot trim arrays in its large-object space): a backlog of 200,000 rows took 25 s to
 * move one row at a time.
 */
class SessionRows {
  private rows: JournalRow[] = [];
  private head = 0;

  get size(): number {
    return this.rows.length - this.head;
  }

  get first(): JournalRow | undefined {
    return this.rows[this.head];
  }

  get last(): JournalRow | undefined {
    return this.size > 0 ? this.rows.at(-1) : undefined;
  }

  push(row: JournalRow): void {
    this.rows.push(row);
  }

  pop(): void {
    this.rows.pop();
  }

  shift(): void {
    this.head += 1;
    // Drop the moved rows once they are half the array: amortized O(1) per row.
    if (this.head >= 1024 && this.head * 2 >= this.rows.length) {
      this.rows = this.rows.slice(this.head);
      this.head = 0;
    }
  }

  *[Symbol.iterator](): IterableIterator<JournalRow> {
    for (let i = this.head; i < this.rows.length; i++) yield this.rows[i] as JournalRow;
  }

  findLast(matches: (row: JournalRow) => boolean): JournalRow | undefined {
    for (let i = this.rows.length - 1; i >= this.head; i--) {
      const row = this.rows[i] as JournalRow;
      if (matches(row)) return row;
    }
    return undefined;
  }
}

/**
 * The event rows written to the journal but not moved into the database yet, per session in seq
 * order — every one above the session's rows in the database except, for a moment, rows the event
 * mover committed whose reply is not handled yet (store/event-store.ts).
 */
export class PendingRows {
  private readonly bySession = new Map<string, SessionRows>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(row: JournalRow): void {
    let session = this.bySession.get(row.sessionId);
    if (!session) {
      session = new SessionRows();
      this.bySession.set(row.sessionId, session);
    }
    session.push(row);
    this.count += 1;
  }

  /** Take back rows added last (a failed batch's), newest first. */
  removeNewest(rows: readonly JournalRow[]): void {
    for (let i = rows.length - 1; i >= 0; i--) {
      const row = rows[i] as JournalRow;
      const session = this.bySession.get(row.sessionId);
      if (session?.last !== row) continue;
      session.pop();
      this.removed(row.sessionId, session);
    }
  }

  /** Every row, sorted by session then seq: what a move takes (rows added later are not in it). */
  snapshot(): JournalRow[] {
    const rows: JournalRow[] = [];
    for (const sessionId of [...this.bySession.keys()].sort()) {
      // One at a time: spreading a long backlog into push() overflows the stack.
      for (const row of this.bySession.get(sessionId) ?? []) rows.push(row);
    }
    return rows;
  }

  /**
   * Remove rows now in the database. Rows leave each session from the front, in seq order; one
   * already gone (moved by the store and by the mover both) or not at the front yet is skipped — the
   * move that covers the rows before it removes it then.
   */
  removeMoved(rows: readonly JournalRow[]): void {
    for (const row of rows) {
      const session = this.bySession.get(row.sessionId);
      if (session?.first !== row) continue;
      session.shift();
      this.removed(row.sessionId, session);
    }
  }

  lastSeq(sessionId: string): number | undefined {
    return this.bySession.get(sessionId)?.last?.seq;
  }

  lastSeqOf(sessionId: string, types: ReadonlySet<SessionEventType>): number | undefined {
    return this.bySession.get(sessionId)?.findLast((row) => types.has(row.type))?.seq;
  }

  /** The session's rows after `afterSeq`, appended to `into` until it holds `limit`. */
  appendAfter<T>(sessionId: string, afterSeq: number, limit: number, into: (T | JournalRow)[]): void {
    for (const row of this.bySession.get(sessionId) ?? []) {
      if (into.length >= limit) return;
      if (row.seq > afterSeq) into.push(row);
    }
  }

  ofTypes(sessionId: string, types: ReadonlySet<SessionEventType>): JournalRow[] {
    const rows: JournalRow[] = [];
    for (const row of this.bySession.get(sessionId) ?? []) if (types.has(row.type)) rows.push(row);
    return rows;
  }

  private removed(sessionId: string, session: SessionRows): void {
    if (session.size === 0) this.bySession.delete(sessionId);
    this.count -= 1;
  }
}
