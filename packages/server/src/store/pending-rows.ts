import type { SessionEventType } from '@chatml/protocol';
import type { JournalRow } from './event-journal.js';

/**
 * The event rows written to the journal but not moved into the database yet, per session in seq
 * order — every one above the session's rows in the database, since rows only ever leave from the
 * front (a move) or the back (a batch that failed).
 */
export class PendingRows {
  private readonly bySession = new Map<string, JournalRow[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(row: JournalRow): void {
    const rows = this.bySession.get(row.sessionId);
    if (rows) rows.push(row);
    else this.bySession.set(row.sessionId, [row]);
    this.count += 1;
  }

  /** Take back rows added last (a failed batch's), newest first. */
  removeNewest(rows: readonly JournalRow[]): void {
    for (let i = rows.length - 1; i >= 0; i--) {
      const row = rows[i] as JournalRow;
      const session = this.bySession.get(row.sessionId);
      if (session?.at(-1) !== row) continue;
      session.pop();
      if (session.length === 0) this.bySession.delete(row.sessionId);
      this.count -= 1;
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

  /** Remove moved rows: a run of a snapshot, so per session the oldest rows. */
  removeOldest(rows: readonly JournalRow[]): void {
    for (let i = 0; i < rows.length; ) {
      const sessionId = (rows[i] as JournalRow).sessionId;
      let count = 0;
      while (i < rows.length && (rows[i] as JournalRow).sessionId === sessionId) {
        count += 1;
        i += 1;
      }
      const session = this.bySession.get(sessionId);
      if (!session) continue;
      const removed = session.splice(0, count).length;
      if (session.length === 0) this.bySession.delete(sessionId);
      this.count -= removed;
    }
  }

  lastSeq(sessionId: string): number | undefined {
    return this.bySession.get(sessionId)?.at(-1)?.seq;
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
    return (this.bySession.get(sessionId) ?? []).filter((row) => types.has(row.type));
  }
}
