import { z } from 'zod';
import { ContentBlock, DeltaKind, PermissionMode, SessionStatus, Usage } from './common.js';
import { GitOperationKind } from './git-state.js';

/**
 * The session event log: everything a session did, in order. Each event is stored with a
 * per-session `seq` before anyone sees it; the transcript a client rebuilds from these is the same
 * live and after a reload. Names are past-tense facts.
 *
 * Every turn is bracketed by `turn_started` and exactly one `turn_ended`, whatever happens (an API
 * error, an interrupt, a runner crash, a backend restart), so no session shows "running" forever.
 */
export const SessionEventPayloads = {
  session_created: z.object({
    name: z.string(),
    branch: z.string(),
    baseBranch: z.string(),
    worktreePath: z.string(),
    permissionMode: PermissionMode,
    model: z.string().optional(),
  }),
  status_changed: z.object({ status: SessionStatus, reason: z.string().optional() }),
  /** The user's message, logged when accepted; `queued` when it waits behind a running turn. */
  user_message: z.object({ messageId: z.string(), text: z.string(), queued: z.boolean().default(false) }),
  turn_started: z.object({ turnId: z.string(), messageId: z.string() }),
  /**
   * Queued messages that will never run (the user cancelled them, or the session was archived before
   * their turn came): they leave the queue, after a restart too.
   */
  messages_dropped: z.object({ messageIds: z.array(z.string()).min(1), reason: z.string() }),
  stream_delta: z.object({
    turnId: z.string(),
    messageId: z.string(),
    blockIndex: z.number().int().nonnegative(),
    kind: DeltaKind,
    text: z.string(),
    /** `tool_input` deltas: the tool being called (so a call cut short still says which tool). */
    toolName: z.string().optional(),
  }),
  assistant_message: z.object({ turnId: z.string(), messageId: z.string(), content: z.array(ContentBlock) }),
  tool_use: z.object({ turnId: z.string(), id: z.string(), tool: z.string(), input: z.unknown() }),
  tool_result: z.object({ turnId: z.string(), id: z.string(), ok: z.boolean(), output: z.string() }),
  permission_requested: z.object({
    turnId: z.string(),
    requestId: z.string(),
    tool: z.string(),
    input: z.unknown(),
    reason: z.string().optional(),
    /** The `tool_use` event's `id` this asks about; absent in logs from before 2026-12-03. */
    toolUseId: z.string().optional(),
  }),
  permission_resolved: z.object({
    requestId: z.string(),
    allow: z.boolean(),
    message: z.string().optional(),
    /** Who decided: the user, or the backend (e.g. the turn ended before anyone answered). */
    by: z.enum(['user', 'system']).default('user'),
  }),
  turn_ended: z.object({
    turnId: z.string(),
    outcome: z.enum(['completed', 'failed', 'interrupted']),
    /** A sentence for the user when the outcome is not `completed`. */
    reason: z.string().optional(),
    text: z.string().optional(),
    durationMs: z.number().nonnegative().optional(),
    usage: Usage.optional(),
    costUsd: z.number().nonnegative().optional(),
    retryable: z.boolean().optional(),
  }),
  /** Something went wrong that the user should see; does not by itself end a turn. */
  error_reported: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }),
  runner_started: z.object({ pid: z.number().int(), resumed: z.boolean() }),
  runner_stopped: z.object({
    reason: z.string(),
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
  }),
  agent_ready: z.object({ sdkSessionId: z.string(), model: z.string().optional() }),
  settings_changed: z.object({ model: z.string().optional(), permissionMode: PermissionMode.optional() }),
  /** A git operation on the session's worktree or branch (commit, sync, merge back, …) and how it ended. */
  git_operation: z.object({
    kind: GitOperationKind,
    ok: z.boolean(),
    /** The commit it made (commit, merge) or the new HEAD (sync). */
    sha: z.string().optional(),
    strategy: z.string().optional(),
    /** Conflicted paths when it stopped on conflicts. */
    conflicts: z.array(z.string()).optional(),
    /** A sentence for the transcript, e.g. "Merged into main (squash)". */
    message: z.string().optional(),
  }),
} as const;

export type SessionEventType = keyof typeof SessionEventPayloads;
export const SessionEventType = z.enum(
  Object.keys(SessionEventPayloads) as [SessionEventType, ...SessionEventType[]],
);

export type SessionEventPayload<T extends SessionEventType> = z.output<(typeof SessionEventPayloads)[T]>;

/** An event as produced inside the backend, before it has a seq. */
export type NewSessionEvent = {
  [T in SessionEventType]: { type: T; payload: SessionEventPayload<T> };
}[SessionEventType];

/** An event as stored and served: `GET /events` and WS `event` frames carry exactly this. */
export const StoredEvent = z.object({
  seq: z.number().int().positive(),
  type: SessionEventType,
  /** Milliseconds since the epoch when the backend stored it. */
  ts: z.number().int(),
  payload: z.unknown(),
});
export type StoredEvent = z.output<typeof StoredEvent>;

/** Narrow a stored event to its typed payload (validated, so old rows from a newer build are safe). */
export function parseEventPayload<T extends SessionEventType>(
  type: T,
  payload: unknown,
): SessionEventPayload<T> {
  return SessionEventPayloads[type].parse(payload) as SessionEventPayload<T>;
}
