import { closeSync, openSync, readdirSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SessionEventType } from '@chatml/protocol';
import { StorageFailedError } from '../errors.js';

/** One event as the journal and the database hold it: the payload stays the JSON it was sent as. */
export interface JournalRow {
  readonly sessionId: string;
  readonly seq: number;
  readonly type: SessionEventType;
  readonly ts: number;
  readonly payload: string;
}

/** What `EventJournal.open` found: the rows to put in the database, and what it had to leave out. */
export interface RecoveredJournal {
  rows: JournalRow[];
  /** Lines of batches that were never completed (cut short by a crash or a failed write). */
  skippedLines: number;
}

/** The journal's files are read this much at a time, so their size is never a string's limit. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * The event log's write-ahead file: every event is written here (one `write` per batch) before it
 * is sent, and moved into SQLite later in bulk (store/event-store.ts says why). A write to the page
 * cache survives the backend being killed, exactly as the SQLite WAL with `synchronous = NORMAL`
 * did; neither survives the machine losing power before the OS wrote it out.
 *
 * Files are generations: `<base>.<n>`. Writes go to the newest; `seal()` starts the next one, and
 * a sealed file is deleted once every row in it is in the database and synced there. On start-up
 * every file left behind is read back, oldest first. One line per event, tab-separated
 * (`seq, ts, type, sessionId, payload JSON`: JSON.stringify never emits a raw tab or newline), and
 * after each batch a line `#<rows>` that completes it. Only completed batches are recovered: a
 * write that failed part-way (a full disk) or was cut short by a crash left a batch that was never
 * sent, and its seqs were given out again. The write after a failed one begins with a line `!`,
 * which voids whatever the failed write left — even a batch that looks complete, when only its last
 * newline was missing (or its `#12` was cut to a valid-looking `#1`).
 */
export class EventJournal {
  private fd: number | null = null;
  private generation: number;
  /** A write failed part-way: the next begins with a `!` line that voids what it left. */
  private isLineOpen = false;

  /** `basePath` null: an in-memory store (tests, `:memory:` databases) with nothing to write. */
  private constructor(
    private readonly basePath: string | null,
    lastGeneration: number,
    private readonly onProblem: (problem: string) => void,
  ) {
    this.generation = lastGeneration + 1;
  }

  /**
   * Open the journal at `basePath`, returning what the last run left in it. Call `dropAll()` once
   * those rows are in the database. Something that is not a file (a folder named like one) is
   * reported and left alone. A journal file that cannot be read stops the start: going on would
   * give its events' seqs out again.
   */
  static open(
    basePath: string | null,
    onProblem: (problem: string) => void = () => {},
  ): { journal: EventJournal; recovered: RecoveredJournal } {
    if (basePath === null) {
      return {
        journal: new EventJournal(null, 0, onProblem),
        recovered: { rows: [], skippedLines: 0 },
      };
    }
    const generations = listGenerations(basePath);
    const latest = new Map<string, JournalRow>();
    let skippedLines = 0;
    for (const generation of generations) {
      const path = fileOf(basePath, generation);
      if (!isFile(path)) {
        onProblem(`${path} is not an event journal file (a folder?); left alone`);
        continue;
      }
      try {
        skippedLines += collectBatches(path, latest);
      } catch (error) {
        throw new Error(
          `The event journal ${path} could not be read (${(error as Error).message}). ChatML needs it to start without losing or repeating events: make it readable, or move it away to give its events up.`,
        );
      }
    }
    const rows = sortedRows(latest);
    const journal = new EventJournal(basePath, generations.at(-1) ?? 0, onProblem);
    return { journal, recovered: { rows, skippedLines } };
  }

  /** Append rows with one write. Throws if they could not be written (nothing may be sent then). */
  append(rows: readonly JournalRow[]): void {
    if (this.basePath === null || rows.length === 0) return;
    let text = this.isLineOpen ? '\n!\n' : '';
    for (const row of rows) text += `${row.seq}\t${row.ts}\t${row.type}\t${row.sessionId}\t${row.payload}\n`;
    text += `#${rows.length}\n`;
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    try {
      this.fd ??= openSync(fileOf(this.basePath, this.generation), 'a', 0o600);
      while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
    } catch (error) {
      this.isLineOpen = this.isLineOpen || written > 0;
      throw new StorageFailedError(error as Error);
    }
    this.isLineOpen = false;
  }

  /** The file of a generation (null for an in-memory journal). */
  pathOf(generation: number): string | null {
    return this.basePath === null ? null : fileOf(this.basePath, generation);
  }

  /** Start a new file for what comes next; returns the generation that holds everything before. */
  seal(): number {
    this.closeFile();
    this.isLineOpen = false;
    const sealed = this.generation;
    this.generation += 1;
    return sealed;
  }

  /**
   * Delete a sealed generation (its rows are all in the database). A file that cannot be deleted
   * is reported and left: read again on the next start, its rows are the ones already stored.
   */
  drop(generation: number): void {
    if (this.basePath === null) return;
    const path = fileOf(this.basePath, generation);
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.onProblem(`could not delete the event journal ${path}: ${(error as Error).message}`);
    }
  }

  /** Delete every generation up to the current one (all their rows are in the database). */
  dropAll(): void {
    this.closeFile();
    if (this.basePath === null) return;
    for (const generation of listGenerations(this.basePath)) {
      const path = fileOf(this.basePath, generation);
      if (generation <= this.generation && isFile(path)) this.drop(generation);
    }
  }

  closeFile(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * The completed batches of one sealed journal file, as rows to put in the database: the last line
 * for each (session, seq) wins (a seq given out again after a failed batch), sorted by session and
 * seq. Throws if the file cannot be read.
 */
export function readJournalFile(path: string): RecoveredJournal {
  const latest = new Map<string, JournalRow>();
  const skippedLines = collectBatches(path, latest);
  return { rows: sortedRows(latest), skippedLines };
}

/** Read a file's completed batches into `latest` by (session, seq); returns the lines skipped. */
function collectBatches(path: string, latest: Map<string, JournalRow>): number {
  return readBatches(path, (row) => latest.set(`${row.sessionId}\t${row.seq}`, row));
}

function sortedRows(latest: Map<string, JournalRow>): JournalRow[] {
  return [...latest.values()].sort(bySessionThenSeq);
}

function fileOf(basePath: string, generation: number): string {
  return `${basePath}.${generation}`;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function listGenerations(basePath: string): number[] {
  const prefix = `${basename(basePath)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(basePath));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return (
    names
      // Exactly the names `fileOf` makes (no leading zeros), so each maps back to its file.
      .filter((name) => name.startsWith(prefix) && /^(0|[1-9]\d{0,14})$/.test(name.slice(prefix.length)))
      .map((name) => Number(name.slice(prefix.length)))
      .sort((a, b) => a - b)
  );
}

/**
 * Read a journal file's completed batches, in order, a chunk at a time. A batch is the lines before
 * its `#<rows>` line: the last `<rows>` lines since the previous one. A `!` line voids the lines
 * before it back to the last marker — or, right after a marker, that marker's batch. Lines before a
 * batch's own (a cut write's remains), and after the last marker, are skipped. Returns how many
 * lines were skipped.
 */
function readBatches(path: string, onRow: (row: JournalRow) => void): number {
  let skipped = 0;
  let lines: (JournalRow | undefined)[] = [];
  /** The last completed batch: kept back one line, in case a `!` voids it. */
  let completed: (JournalRow | undefined)[] | null = null;
  const settle = () => {
    for (const row of completed ?? []) {
      if (row) onRow(row);
      else skipped += 1;
    }
    completed = null;
  };
  const onLine = (line: string) => {
    if (line === '') return;
    if (line === '!') {
      if (lines.length > 0) skipped += lines.length;
      else skipped += completed?.length ?? 0;
      lines = [];
      completed = null;
      return;
    }
    settle();
    if (/^#\d+$/.test(line)) {
      const count = Number(line.slice(1));
      // More rows claimed than there are lines: not a batch this file holds whole.
      completed = count <= lines.length ? lines.slice(lines.length - count) : [];
      skipped += lines.length - completed.length;
      lines = [];
      return;
    }
    lines.push(parseLine(line)); // undefined for anything else, a cut marker included
  };
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(READ_CHUNK_BYTES);
    let carry = Buffer.alloc(0);
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      const data =
        carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let start = 0;
      for (let newline = data.indexOf(10, start); newline !== -1; newline = data.indexOf(10, start)) {
        // 0x0A never occurs inside a multi-byte UTF-8 character, so each line decodes on its own.
        onLine(data.toString('utf8', start, newline));
        start = newline + 1;
      }
      carry = Buffer.from(data.subarray(start)); // the chunk buffer is reused by the next read
    }
    if (carry.length > 0) lines.push(undefined); // a last line without its newline: cut short
  } finally {
    closeSync(fd);
  }
  settle();
  return skipped + lines.length;
}

function parseLine(line: string): JournalRow | undefined {
  const fields: string[] = [];
  let from = 0;
  for (let i = 0; i < 4; i++) {
    const tab = line.indexOf('\t', from);
    if (tab === -1) return undefined;
    fields.push(line.slice(from, tab));
    from = tab + 1;
  }
  const [seqText, tsText, typeText, sessionId] = fields as [string, string, string, string];
  const payload = line.slice(from);
  const seq = Number(seqText);
  const ts = Number(tsText);
  const type = SessionEventType.safeParse(typeText);
  if (!Number.isSafeInteger(seq) || seq < 1 || !Number.isSafeInteger(ts) || !type.success || sessionId === '')
    return undefined;
  try {
    JSON.parse(payload);
  } catch {
    return undefined;
  }
  return { sessionId, seq, type: type.data, ts, payload };
}

function bySessionThenSeq(a: JournalRow, b: JournalRow): number {
  return a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : a.seq - b.seq;
}

/** The journal's base path beside a database file (`join` keeps it in the database's folder). */
export function journalPathFor(databasePath: string): string | null {
  return databasePath === ':memory:' ? null : join(dirname(databasePath), `${basename(databasePath)}.events`);
}
