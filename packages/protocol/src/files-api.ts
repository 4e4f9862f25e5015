import { z } from 'zod';

/**
 * Listings of what a repository holds, for pickers in the UI: the files of a session's worktree
 * (the composer's `@` picker) and the branches of a workspace (the new-session base branch picker).
 */

/** `GET /sessions/:id/files?limit=N`: tracked and untracked-but-not-ignored files. */
export const SessionFilesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(50_000).default(20_000),
});

export const SessionFiles = z.object({
  /** Worktree-relative paths with `/` separators, sorted. */
  files: z.array(z.string()),
  /** More files exist than `limit`; the list holds the first `limit` of them. */
  isTruncated: z.boolean(),
});
export type SessionFiles = z.output<typeof SessionFiles>;

/** `GET /workspaces/:id/branches`. */
export const Branch = z.object({
  /** As a session's `baseBranch` takes it: `main`, or `origin/main` for a remote-tracking branch. */
  name: z.string(),
  isRemote: z.boolean(),
  /** Unix ms of the branch tip's commit, for sorting newest first. */
  committedAt: z.number().int(),
});
export type Branch = z.output<typeof Branch>;

export const BranchList = z.object({
  /** The workspace's base branch (the default for new sessions). */
  defaultBranch: z.string(),
  /** Local branches, then remote-tracking ones, each newest first. `chatml/*` session branches included. */
  branches: z.array(Branch),
});
export type BranchList = z.output<typeof BranchList>;
