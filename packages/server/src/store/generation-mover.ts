import { type Database, syncWal } from './database.js';
import { EventInserter, type RefusedRow } from './event-insert.js';
import { readJournalFile } from './event-journal.js';
import { pragma } from './prepared.js';

/** What moving one journal file did. */
export interface MovedFile {
  rows: number;
  skippedLines: number;
  refused: RefusedRow[];
}

/**
 * The event mover's work on its own connection (store/event-mover.ts runs it in its own process):
 * move one sealed journal file into `events`, then make it durable, and checkpoint the WAL now and
 * then. Everything here is synchronous — which is fine, since nothing else waits on this process's
 * event loop.
 */
export class GenerationMover {
  private readonly inserter: EventInserter;

  constructor(
    private readonly db: Database,
    private readonly sliceRows: number,
  ) {
    this.inserter = new EventInserter(db);
  }

  /**
   * Insert the file's completed batches, `sliceRows` per transaction (the backend's own writes wait
   * for at most one), then sync the WAL: with `synchronous = NORMAL` a commit reaches the WAL but is
   * synced only at a checkpoint, and the backend deletes the journal file as soon as this returns.
   */
  move(path: string): MovedFile {
    const { rows, skippedLines } = readJournalFile(path);
    const refused: RefusedRow[] = [];
    for (let from = 0; from < rows.length; from += this.sliceRows) {
      refused.push(...this.inserter.insert(rows, from, Math.min(rows.length, from + this.sliceRows)));
    }
    syncWal(this.db);
    return { rows: rows.length, skippedLines, refused };
  }

  /** Fold the WAL into the database (PASSIVE: never waits for the backend's readers). */
  checkpoint(): void {
    pragma(this.db, 'wal_checkpoint(PASSIVE)');
  }
}
