import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

/**
 * Checkpoints the WAL from its own connection and thread. A PASSIVE checkpoint never blocks the
 * writer, so the fsync it costs stays off the event loop that appends events and feeds the hub.
 */
const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new BetterSqlite3(path);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { checkpointed: number }[];
    if (result && result.checkpointed > 0) parentPort?.postMessage({ checkpointed: result.checkpointed });
  } catch (error) {
    parentPort?.postMessage({ error: (error as Error).message });
  }
}, intervalMs);
parentPort?.on('message', (message: unknown) => {
  if (message === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort?.close();
  }
});
