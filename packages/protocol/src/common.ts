import { z } from 'zod';

/** The SDK's permission modes, by the SDK's own names. `default` asks before risky tools. */
export const PermissionMode = z.enum(['default', 'acceptEdits', 'plan', 'bypassPermissions']);
export type PermissionMode = z.output<typeof PermissionMode>;

export const SessionStatus = z.enum([
  'creating',
  'idle',
  'running',
  'waiting_permission',
  'error',
  'archived',
]);
export type SessionStatus = z.output<typeof SessionStatus>;

/** Opaque ids minted by the backend (`ws_…`, `ses_…`); kept loose so old ids stay valid. */
export const Id = z.string().min(1).max(100);

/** Token usage as reported by the Anthropic API for one turn (summed across its requests). */
export const Usage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadInputTokens: z.number().int().nonnegative().default(0),
  cacheCreationInputTokens: z.number().int().nonnegative().default(0),
});
export type Usage = z.output<typeof Usage>;

/**
 * A content block of an assistant message, as the UI needs it. Unknown block kinds from a newer
 * SDK are kept (`other`) rather than rejected, so a transcript never loses data.
 */
export const ContentBlock = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('thinking'), thinking: z.string() }),
  z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() }),
  z.object({ type: z.literal('other'), raw: z.unknown() }),
]);
export type ContentBlock = z.output<typeof ContentBlock>;

export const DeltaKind = z.enum(['text', 'thinking', 'tool_input']);
export type DeltaKind = z.output<typeof DeltaKind>;

/** A model name or alias as the SDK takes it (`opus`, `claude-…`, `arn:aws:bedrock:…`), never an option. */
export const ModelName = z
  .string()
  .min(1)
  .max(100)
  // \s does not cover NUL and the other control characters, which no process argument may hold.
  .regex(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
    /^[^\s\u0000-\u001f\u007f-][^\s\u0000-\u001f\u007f]*$/,
    'a model name has no spaces or control characters and does not start with "-"',
  );
