import { z } from 'zod';

/**
 * The runner's one-shot entry (`oneshot-main.js`): one JSON request on stdin, one model call with no
 * tools, one JSON result line on stdout, exit. The backend uses it for AI drafts (commit messages,
 * PR texts) without loading the Agent SDK itself.
 */
export const OneShotRequest = z.object({
  /** The session's worktree; the model call runs there (it reads no files: no tools). */
  cwd: z.string().min(1),
  prompt: z.string().min(1).max(1_000_000),
  systemPrompt: z.string().max(100_000).optional(),
  model: z.string().min(1).max(100).optional(),
});
export type OneShotRequest = z.output<typeof OneShotRequest>;

export const OneShotResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), text: z.string() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type OneShotResult = z.output<typeof OneShotResult>;
