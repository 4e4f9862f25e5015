import type { Database } from './database.js';
import type { EventInserter, RefusedRow } from './event-insert.js';
import type { EventJournal, JournalRow } from './event-journal.js';
import type { MovedReply, MoveHandoff } from './event-mover-client.js';
import type { PendingRows } from './pending-rows.js';

export interface JournalMovesOptions {
  /** How long rows may wait in the journal before they are moved to the database. */
  moveAfterMs?: number;
  /** Rows that start a move at once, whatever `moveAfterMs` says. */
  moveAfterRows?: number;
  /** Rows per transaction of a move; the loop turns between them let live events through. */
  moveSliceRows?: number;
  /**
   * The event mover process (store/event-mover-client.ts): sealed journal files are handed to it,
   * and the store is told `moved(…)` or `moveLost(…)`. None: every row is moved here.
   */
  mover?: MoveHandoff;
  /**
   * A move that failed (the rows stay in the journal and in memory, readable, and are moved later),
   * or one event the database refused outright (a constraint), which is dropped from the log.
   */
  onMoveError?: (error: Error) => void;
  /** Told after every write to the database (the WAL checkpointer wakes up on writes). */
  onDatabaseWrite?: () => void;
}

/** Rows being moved to the database: a prefix of each session's pending rows, sorted by session. */
interface Move {
  /** The journal files whose rows this move covers (the one it sealed, and any left by the mover). */
  readonly generations: number[];
  readonly rows: JournalRow[];
  next: number;
}

/**
 * Gets the event log's pending rows (journaled, in memory) into the database: by handing sealed
 * journal files to the event mover process, or by moving them itself — when there is no mover, when
 * the mover is too far behind or failing, and at close — in slices, a loop turn apart. The event
 * store (store/event-store.ts) appends and reads; this decides when rows move and who moves them,
 * and removes them from `pending` once they are committed. Moving a row twice is harmless
 * (EventInserter), which is what makes every hand-back safe.
 */
export class JournalMoves {
  private move: Move | null = null;
  /** Rows appended to the journal's current file since it was last sealed (with a mover only). */
  private generationRows: JournalRow[] = [];
  /** Files handed to the mover and not moved yet, with their rows. */
  private readonly handedOff = new Map<number, JournalRow[]>();
  /** The mover gave files back: the next move is the store's own, of every pending row. */
  private hasLostFiles = false;
  /** Generations whose rows are all in the database, deleted once a checkpoint made that durable. */
  private movedGenerations: number[] = [];
  private moveTimer: NodeJS.Timeout | null = null;
  private isMoveSliceScheduled = false;
  private isClosed = false;
  private readonly mover: MoveHandoff | undefined;
  private readonly moveAfterMs: number;
  private readonly moveAfterRows: number;
  private readonly moveSliceRows: number;
  private readonly onMoveError: (error: Error) => void;
  private readonly onDatabaseWrite: () => void;

  constructor(
    private readonly db: Database,
    private readonly journal: EventJournal,
    private readonly pending: PendingRows,
    private readonly inserter: EventInserter,
    options: JournalMovesOptions = {},
  ) {
    this.mover = options.mover;
    this.moveAfterMs = options.moveAfterMs ?? 100;
    this.moveAfterRows = options.moveAfterRows ?? 2048;
    this.moveSliceRows = options.moveSliceRows ?? 32;
    this.onMoveError = options.onMoveError ?? (() => {});
    this.onDatabaseWrite = options.onDatabaseWrite ?? (() => {});
  }

  /** A row was appended to the journal (or to the batch about to be written) and to `pending`. */
  appended(row: JournalRow): void {
    if (this.mover) this.generationRows.push(row);
    this.scheduleMove();
  }

  /** The last `count` appended rows were taken back (their batch's write failed). */
  unappended(count: number): void {
    if (this.mover) this.generationRows.length = Math.max(0, this.generationRows.length - count);
  }

  /** Stop for good: nothing is scheduled any more (`moveAll` still works). */
  close(): void {
    this.isClosed = true;
    this.cancelMoveTimer();
  }

  /** Move every pending row into the database now and delete the journal's files (at close). */
  moveAll(): void {
    this.cancelMoveTimer();
    while (this.move) this.moveSlice(Number.POSITIVE_INFINITY);
    if (this.pending.size > 0) {
      this.startMove();
      while (this.move) this.moveSlice(Number.POSITIVE_INFINITY);
    }
    // Closing the database checkpoints it (the WAL synced into it): these deletions come after in
    // time, but only a power cut between the two could tell, and it would find the rows either way.
    this.movedGenerations = [];
    this.handedOff.clear();
    this.journal.dropAll();
  }

  /**
   * Everything moved so far is durable in the database (a WAL checkpoint synced it): the journal
   * files it came from can go. Until then a power cut could lose the moved rows from the WAL while
   * a later journal file survived — a hole in the log rather than a lost tail.
   */
  markDurable(): void {
    for (const generation of this.movedGenerations.splice(0)) this.journal.drop(generation);
  }

  /**
   * The mover committed a file it was handed and synced the WAL after it: its rows leave memory
   * (reads find them in the database now) and the file goes.
   */
  moved(reply: MovedReply): void {
    const rows = this.handedOff.get(reply.generation);
    if (!rows) return; // moved by the backend meanwhile
    this.handedOff.delete(reply.generation);
    this.pending.removeMoved(rows);
    this.journal.drop(reply.generation);
    for (const refused of reply.refused) this.onMoveError(refusedError(refused));
  }

  /** Files handed to the mover that it will not move (it failed, or stopped): the store moves them. */
  moveLost(generations: readonly number[]): void {
    if (this.isClosed || !generations.some((generation) => this.handedOff.has(generation))) return;
    this.hasLostFiles = true;
    this.scheduleMoveSlice();
  }

  private scheduleMove(): void {
    if (this.move) return; // the next move is planned when this one ends
    // With a mover, what the mover has already is not waiting on the store.
    const waiting = this.mover ? this.generationRows.length : this.pending.size;
    if (waiting >= this.moveAfterRows) {
      this.cancelMoveTimer();
      this.scheduleMoveSlice();
      return;
    }
    if (this.moveTimer) return;
    this.moveTimer = setTimeout(() => {
      this.moveTimer = null;
      this.scheduleMoveSlice();
    }, this.moveAfterMs);
    this.moveTimer.unref();
  }

  private cancelMoveTimer(): void {
    if (this.moveTimer) clearTimeout(this.moveTimer);
    this.moveTimer = null;
  }

  /** Each slice in a loop turn of its own, never inside the batch whose events wait to be sent. */
  private scheduleMoveSlice(): void {
    if (this.isMoveSliceScheduled) return;
    this.isMoveSliceScheduled = true;
    setImmediate(() => {
      this.isMoveSliceScheduled = false;
      if (!this.db.open || this.isClosed) return;
      if (!this.move && this.pending.size === 0) return;
      if (!this.move && this.handOff()) return;
      try {
        if (!this.move) this.startMove();
        // Slices grow with the backlog, so moves catch up with any rate of appends instead of
        // falling further behind (each loop turn moves at least 1/16 of what is waiting).
        this.moveSlice(Math.max(this.moveSliceRows, Math.ceil(this.pending.size / 16)));
      } catch (error) {
        // The rows stay in memory and in the journal; try again later rather than at once.
        this.onMoveError(error as Error);
        this.moveTimer ??= setTimeout(() => {
          this.moveTimer = null;
          this.scheduleMoveSlice();
        }, 1000).unref();
        return;
      }
      if (this.move) this.scheduleMoveSlice();
      else if (this.pending.size > 0) this.scheduleMove();
    });
  }

  /**
   * Hand the journal's current file to the mover. True when the mover has every pending row now
   * (nothing for the store to move); false when the store must move them itself.
   */
  private handOff(): boolean {
    if (!this.mover) return false;
    if (this.generationRows.length > 0) {
      const rows = this.generationRows;
      const generation = this.journal.seal();
      this.generationRows = [];
      // Recorded before it is offered: one not taken is moved by the store with the rest.
      this.handedOff.set(generation, rows);
      const path = this.journal.pathOf(generation);
      if (path === null || !this.mover.move(generation, path)) return false;
    }
    // Rows of files the mover gave back (`moveLost`) are the store's to move.
    return !this.hasLostFiles;
  }

  /** Seal the journal's file: every pending row is in it (or an older one), so all of them move. */
  private startMove(): void {
    const generations = [...this.handedOff.keys(), this.journal.seal()];
    this.handedOff.clear();
    this.generationRows = [];
    this.hasLostFiles = false;
    this.move = { generations, rows: this.pending.snapshot(), next: 0 };
  }

  private moveSlice(maxRows: number): void {
    const move = this.move;
    if (!move) return;
    const end = Math.min(move.rows.length, move.next + maxRows);
    // A failure (a full disk, I/O) throws: the slice is tried again later.
    this.reportRefused(this.inserter.insert(move.rows, move.next, end));
    // Committed: the same rows leave memory before anything else runs.
    this.pending.removeMoved(move.rows.slice(move.next, end));
    move.next = end;
    this.onDatabaseWrite();
    if (move.next >= move.rows.length) {
      this.move = null;
      this.movedGenerations.push(...move.generations);
    }
  }

  private reportRefused(refused: readonly RefusedRow[]): void {
    for (const { row, error } of refused) this.onMoveError(refusedError({ ...row, message: error.message }));
  }
}

export function refusedError(row: { sessionId: string; seq: number; type: string; message: string }): Error {
  return new Error(
    `event ${row.seq} (${row.type}) of session ${row.sessionId} was refused by the database and left out of the log: ${row.message}`,
  );
}
