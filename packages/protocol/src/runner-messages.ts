import { z } from 'zod';
import { ContentBlock, DeltaKind, PermissionMode, Usage } from './common.js';

/**
 * The backend <-> runner protocol: newline-delimited JSON over the runner's stdin/stdout, one object
 * per line. Every line names its `session`; turn-scoped lines carry the `turnId` the backend chose,
 * which doubles as the correlation id in logs. These schemas are the only list of message types.
 */

const base = { session: z.string().min(1) };

/** How a runner drives the SDK for one session. Sent once, in the backend's hello. */
export const RunnerConfig = z.object({
  /** The session's worktree; the agent's working directory and the fence for file access. */
  cwd: z.string().min(1),
  model: z.string().min(1).optional(),
  permissionMode: PermissionMode.default('default'),
  /** Continue this SDK conversation (stored from a previous runner's `ready`). */
  resumeSdkSessionId: z.string().min(1).optional(),
  /**
   * Which Claude Code settings files the SDK may read. Empty by default so a user's global hooks or
   * permission rules never change what a ChatML session does behind its back.
   */
  settingSources: z.array(z.enum(['user', 'project', 'local'])).default([]),
  appendSystemPrompt: z.string().optional(),
});
export type RunnerConfig = z.output<typeof RunnerConfig>;

// ---- backend -> runner -------------------------------------------------------------------------

export const RunnerCommand = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('hello'), protocolVersion: z.number().int(), config: RunnerConfig }),
  z.object({
    ...base,
    type: z.literal('user_message'),
    turnId: z.string().min(1),
    text: z.string(),
    attachments: z.array(z.object({ path: z.string(), mediaType: z.string().optional() })).optional(),
  }),
  z.object({ ...base, type: z.literal('interrupt'), turnId: z.string().optional() }),
  z.object({
    ...base,
    type: z.literal('permission_response'),
    requestId: z.string().min(1),
    allow: z.boolean(),
    updatedInput: z.record(z.string(), z.unknown()).optional(),
    message: z.string().optional(),
  }),
  z.object({ ...base, type: z.literal('set_model'), model: z.string().min(1).optional() }),
  z.object({ ...base, type: z.literal('set_permission_mode'), mode: PermissionMode }),
  z.object({ ...base, type: z.literal('shutdown') }),
]);
export type RunnerCommand = z.output<typeof RunnerCommand>;

// ---- runner -> backend -------------------------------------------------------------------------

export const RunnerResult = z.object({
  /** The SDK's result subtype (`success`, `error_during_execution`, `error_max_turns`, …). */
  subtype: z.string(),
  /** True for API errors too: the SDK reports those with subtype `success` and `is_error`. */
  isError: z.boolean(),
  /** True when the turn ended because the backend asked to interrupt it. */
  interrupted: z.boolean().default(false),
  text: z.string().optional(),
  usage: Usage.optional(),
  /** This turn's cost. Absent when the runner cannot know it: the first turn after a resume. */
  costUsd: z.number().nonnegative().optional(),
  /** The SDK session's running cost, which continues across resumes (earlier runners' turns included). */
  totalCostUsd: z.number().nonnegative().optional(),
  durationMs: z.number().nonnegative(),
  numTurns: z.number().int().nonnegative().optional(),
  apiErrorStatus: z.number().int().optional(),
});
export type RunnerResult = z.output<typeof RunnerResult>;

export const RunnerEvent = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('hello'),
    protocolVersion: z.number().int(),
    runnerVersion: z.string(),
    pid: z.number().int(),
  }),
  /** The SDK conversation is live; `sdkSessionId` is what a later runner resumes. */
  z.object({
    ...base,
    type: z.literal('ready'),
    sdkSessionId: z.string().min(1),
    model: z.string().optional(),
    tools: z.array(z.string()).optional(),
  }),
  z.object({
    ...base,
    type: z.literal('stream_delta'),
    turnId: z.string(),
    messageId: z.string(),
    /** Index of the content block within the message, so text and tool input never interleave. */
    blockIndex: z.number().int().nonnegative(),
    kind: DeltaKind,
    text: z.string(),
    /** `tool_input` deltas: the tool being called, known before its input is complete. */
    toolName: z.string().optional(),
  }),
  z.object({
    ...base,
    type: z.literal('assistant_message'),
    turnId: z.string(),
    messageId: z.string(),
    content: z.array(ContentBlock),
  }),
  z.object({
    ...base,
    type: z.literal('tool_use'),
    turnId: z.string(),
    id: z.string(),
    tool: z.string(),
    input: z.unknown(),
  }),
  z.object({
    ...base,
    type: z.literal('tool_result'),
    turnId: z.string(),
    id: z.string(),
    ok: z.boolean(),
    output: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal('permission_request'),
    turnId: z.string(),
    requestId: z.string(),
    tool: z.string(),
    input: z.unknown(),
    /** Why the runner asks (e.g. the SDK's decision reason), shown next to Allow/Deny. */
    reason: z.string().optional(),
    /** The `tool_use` id of the call it asks about (the SDK's `toolUseID`). */
    toolUseId: z.string().optional(),
  }),
  /** The SDK withdrew a question (its tool call was cancelled) before anyone answered it. */
  z.object({
    ...base,
    type: z.literal('permission_cancelled'),
    turnId: z.string(),
    requestId: z.string(),
    reason: z.string(),
  }),
  z.object({ ...base, type: z.literal('result'), turnId: z.string(), result: RunnerResult }),
  z.object({
    ...base,
    type: z.literal('error'),
    turnId: z.string().optional(),
    /** Machine-readable kind: `bad_message`, `sdk_error`, `protocol_mismatch`, … */
    code: z.string(),
    message: z.string(),
    retryable: z.boolean(),
  }),
  z.object({ ...base, type: z.literal('exit'), reason: z.string() }),
]);
export type RunnerEvent = z.output<typeof RunnerEvent>;
export type RunnerEventOf<T extends RunnerEvent['type']> = Extract<RunnerEvent, { type: T }>;
