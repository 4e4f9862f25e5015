import { closeSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SessionEventType } from '@chatml/protocol';

/** One event as the journal and the database hold it: the payload stays the JSON it was sent as. */
export interface JournalRow {
  readonly sessionId: string;
  readonly seq: number;
  readonly type: SessionEventType;
  readonly ts: number;
  readonly payload: string;
}

/** What `EventJournal.recover` found: the rows to put in the database, and lines it had to skip. */
export interface RecoveredJournal {
  rows: JournalRow[];
  skippedLines: number;
}

/**
 * The event log's write-ahead file: every event is written here (one `write` per batch) before it
 * is sent, and moved into SQLite later in bulk (store/event-store.ts says why). A write to the page
 * cache survives the backend being killed, exactly as the SQLite WAL with `synchronous = NORMAL`
 * did; neither survives the machine losing power before the OS wrote it out.
 *
 * Files are generations: `<base>.<n>`. Writes go to the newest; `seal()` starts the next one, and
 * a sealed file is deleted once every row in it is in the database. On start-up every file left
 * behind is read back, oldest first. One line per event, tab-separated
 * (`seq, ts, type, sessionId, payload JSON`): JSON.stringify never emits a raw tab or newline.
 * When a batch failed after its write, its seqs are given out again, so a later line for the same
 * session and seq replaces an earlier one; a line cut short by a crash is skipped.
 */
export class EventJournal {
  private fd: number | null = null;
  private generation: number;
  /** A write failed part-way: the next starts on a new line, so only the cut line is lost. */
  private isLineOpen = false;

  /** `basePath` null: an in-memory store (tests, `:memory:` databases) with nothing to write. */
  private constructor(
    private readonly basePath: string | null,
    lastGeneration: number,
  ) {
    this.generation = lastGeneration + 1;
  }

  /**
   * Open the journal at `basePath`, returning what the last run left in it. Call `dropAll()` once
   * those rows are in the database.
   */
  static open(basePath: string | null): { journal: EventJournal; recovered: RecoveredJournal } {
    if (basePath === null)
      return { journal: new EventJournal(null, 0), recovered: { rows: [], skippedLines: 0 } };
    const generations = listGenerations(basePath);
    const latest = new Map<string, JournalRow>();
    let skippedLines = 0;
    for (const generation of generations) {
      const text = readFileSync(fileOf(basePath, generation), 'utf8');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        const row = parseLine(line);
        if (row) latest.set(`${row.sessionId}\t${row.seq}`, row);
        else skippedLines += 1;
      }
    }
    const rows = [...latest.values()].sort(bySessionThenSeq);
    return {
      journal: new EventJournal(basePath, generations.at(-1) ?? 0),
      recovered: { rows, skippedLines },
    };
  }

  /** Append rows with one write. Throws if they could not be written (nothing may be sent then). */
  append(rows: readonly JournalRow[]): void {
    if (this.basePath === null || rows.length === 0) return;
    let text = this.isLineOpen ? '\n' : '';
    for (const row of rows) text += `${row.seq}\t${row.ts}\t${row.type}\t${row.sessionId}\t${row.payload}\n`;
    this.fd ??= openSync(fileOf(this.basePath, this.generation), 'a', 0o600);
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
    } catch (error) {
      this.isLineOpen = this.isLineOpen || written > 0;
      throw error;
    }
    this.isLineOpen = false;
  }

  /** Start a new file for what comes next; returns the generation that holds everything before. */
  seal(): number {
    this.closeFile();
    this.isLineOpen = false;
    const sealed = this.generation;
    this.generation += 1;
    return sealed;
  }

  /** Delete a sealed generation (its rows are all in the database). */
  drop(generation: number): void {
    if (this.basePath === null) return;
    try {
      unlinkSync(fileOf(this.basePath, generation));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  /** Delete every generation up to the current one (all their rows are in the database). */
  dropAll(): void {
    this.closeFile();
    if (this.basePath === null) return;
    for (const generation of listGenerations(this.basePath)) this.drop(generation);
  }

  closeFile(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

function fileOf(basePath: string, generation: number): string {
  return `${basePath}.${generation}`;
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
  return names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)))
    .sort((a, b) => a - b);
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
    return undefined; // cut short by a crash mid-write: it was never sent
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
