/**
 * The event mover process (`node event-mover.js '<MoverConfig JSON>'`): moves sealed event-journal
 * files into the database with its own connection, so the backend's event loop — which streams every
 * session to the UI — spends no time on SQLite inserts or WAL checkpoints while agents stream (they
 * were the largest source of its latency tail: docs/PERFORMANCE.md §1). The backend starts it when
 * there is something to move and stops it when idle (store/event-mover-client.ts).
 *
 * Requests come as NDJSON on stdin, replies go to stdout, anything for the log to stderr. It exits
 * when stdin closes (so a backend killed with SIGKILL leaves it behind for no longer than the move
 * in progress), dropping requests not started: the backend moves those itself.
 */
import {
  LineSplitter,
  MoverConfig,
  type MoverReply,
  MoverRequest,
  type MoverSettings,
  parseLine,
} from '@chatml/protocol';
import type { Database } from './database.js';
import { openMoverDatabase } from './database.js';
import { GenerationMover } from './generation-mover.js';

function send(reply: MoverReply): void {
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}

function fail(message: string): never {
  process.stderr.write(`event mover: ${message}\n`);
  process.exit(2);
}

const settings = readSettings();

function readSettings(): MoverSettings {
  try {
    return MoverConfig.parse(JSON.parse(process.argv[2] ?? ''));
  } catch (error) {
    fail(`bad configuration: ${(error as Error).message}`);
  }
}

let db: Database;
try {
  db = openMoverDatabase(settings.databasePath, settings.schemaVersion);
} catch (error) {
  fail(`cannot open ${settings.databasePath}: ${(error as Error).message}`);
}
const mover = new GenerationMover(db, settings.sliceRows);

const queue: MoverRequest[] = [];
let isWorking = false;
let isEnding = false;
let lastCheckpointAt = Date.now();
let idleTimer: NodeJS.Timeout | undefined;

function checkpoint(): void {
  lastCheckpointAt = Date.now();
  try {
    mover.checkpoint();
  } catch (error) {
    send({ type: 'warning', message: `WAL checkpoint failed (will retry): ${(error as Error).message}` });
  }
}

function work(): void {
  isWorking = false;
  const request = queue.shift();
  if (!request || isEnding) return;
  try {
    const moved = mover.move(request.path);
    send({
      type: 'moved',
      generation: request.generation,
      rows: moved.rows,
      skippedLines: moved.skippedLines,
      refused: moved.refused.map(({ row, error }) => ({
        sessionId: row.sessionId,
        seq: row.seq,
        type: row.type,
        message: error.message,
      })),
    });
  } catch (error) {
    send({ type: 'move_failed', generation: request.generation, message: (error as Error).message });
    // Moving a later file before the backend has moved this one's rows would leave a hole in their
    // sessions' rows in the database (reads take only newer rows from memory): stop here, and the
    // backend moves the rest. A file that is gone was moved, and deleted, by the backend already.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      end();
      process.exit(3);
    }
  }
  if (Date.now() - lastCheckpointAt >= settings.checkpointIntervalMs) checkpoint();
  clearTimeout(idleTimer);
  idleTimer = setTimeout(checkpoint, settings.idleCheckpointMs);
  schedule();
}

// One request per loop turn, so stdin's end is noticed between files.
function schedule(): void {
  if (isWorking || queue.length === 0) return;
  isWorking = true;
  setImmediate(work);
}

function end(): void {
  if (isEnding) return;
  isEnding = true;
  queue.length = 0;
  clearTimeout(idleTimer);
  checkpoint();
  db.close();
}

const splitter = new LineSplitter((line) => {
  const request = parseLine(MoverRequest, line);
  if (!request.ok) {
    send({ type: 'warning', message: `ignored a request: ${request.error}` });
    return;
  }
  queue.push(request.value);
  schedule();
}, 1024 * 1024);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => splitter.push(chunk));
process.stdin.on('end', end);
process.stdin.on('error', end);
// The backend gone mid-reply: nothing to tell anyone any more.
process.stdout.on('error', end);
send({ type: 'ready' });
