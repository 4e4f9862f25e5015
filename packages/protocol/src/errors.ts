import { z } from 'zod';

/** Every API error has this shape; `code` is stable and machine-readable, `message` is for people. */
export const ErrorCode = z.enum([
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'invalid_name',
  'not_a_git_repo',
  'git_failed',
  'session_archived',
  'session_busy',
  'message_started',
  'payload_too_large',
  'no_remote',
  'not_github_remote',
  'github_token_missing',
  'push_rejected',
  'forge_auth_failed',
  'forge_rate_limited',
  'forge_failed',
  'draft_failed',
  'storage_failed',
  'internal',
]);
export type ErrorCode = z.output<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** Paths that stopped a git operation (merge-back conflicts, files the user modified). */
    conflicts: z.array(z.string()).optional(),
    /** An invalid request body: the field it is about (`name`, `baseBranch`, …), for forms. */
    field: z.string().optional(),
    /** That field's problem alone, e.g. "use letters, digits, '-', '_' and '.'". */
    fieldMessage: z.string().optional(),
  }),
});
export type ErrorBody = z.output<typeof ErrorBody>;
