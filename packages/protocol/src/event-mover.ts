import { z } from 'zod';

/**
 * The backend's event mover: a helper process that moves sealed event-journal files into the
 * SQLite `events` table with its own connection, so the backend's event loop never spends time on
 * it (see the server's store/event-mover.ts). It is started with one argument, a `MoverConfig` as
 * JSON; then the backend writes `MoverRequest` lines to its stdin and it answers with `MoverReply`
 * lines on stdout. It exits when its stdin closes.
 */
export const MoverConfig = z.object({
  databasePath: z.string().min(1),
  /** The schema the backend migrated the database to: the mover refuses any other. */
  schemaVersion: z.number().int().nonnegative(),
  /** Rows per transaction: the backend's own writes wait for at most one. */
  sliceRows: z.number().int().positive().max(100_000).default(256),
  /** How often, at most, the WAL is checkpointed while moves keep coming. */
  checkpointIntervalMs: z.number().int().positive().default(1000),
  /** Quiet time after the last move before the WAL is checkpointed. */
  idleCheckpointMs: z.number().int().positive().default(500),
});
export type MoverConfig = z.input<typeof MoverConfig>;
export type MoverSettings = z.output<typeof MoverConfig>;

const Generation = z.number().int().nonnegative();

export const MoverRequest = z.discriminatedUnion('type', [
  /** Move every completed batch of this sealed journal file into the database. */
  z.object({ type: z.literal('move'), generation: Generation, path: z.string().min(1) }),
]);
export type MoverRequest = z.output<typeof MoverRequest>;

export const MoverReply = z.discriminatedUnion('type', [
  /** The database is open and its schema is the one expected: moves can start. */
  z.object({ type: z.literal('ready') }),
  /**
   * The file's rows are committed and the WAL synced after them: they are durable in the database,
   * and the file may be deleted. `refused`: rows the database rejected outright (a constraint);
   * `skippedLines`: lines of batches that were never completed.
   */
  z.object({
    type: z.literal('moved'),
    generation: Generation,
    rows: z.number().int().nonnegative(),
    skippedLines: z.number().int().nonnegative(),
    refused: z.array(
      z.object({ sessionId: z.string(), seq: z.number().int(), type: z.string(), message: z.string() }),
    ),
  }),
  /** Nothing of the file may be assumed moved (it is safe to move it again: moves replace rows). */
  z.object({ type: z.literal('move_failed'), generation: Generation, message: z.string() }),
  /** Something went wrong that is not about one file (a checkpoint, the database): for the log. */
  z.object({ type: z.literal('warning'), message: z.string() }),
]);
export type MoverReply = z.output<typeof MoverReply>;
