import { z } from 'zod';

/**
 * Git state of a session that the UI must show: a sync with the base branch stopped on conflicts,
 * a worktree folder or branch that disappeared. Kept apart from `api.ts` so both it and
 * `session-events.ts` can use these without importing each other.
 */

/** How a sync brings the base branch's new commits into the session branch. */
export const SyncStrategy = z.enum(['rebase', 'merge']);
export type SyncStrategy = z.output<typeof SyncStrategy>;

/** How merge-back puts the session's work onto the base branch. */
export const MergeStrategy = z.enum(['squash', 'merge']);
export type MergeStrategy = z.output<typeof MergeStrategy>;

export const SessionGitState = z.object({
  /**
   * A rebase or merge in the worktree that stopped on conflicts (started by ChatML, by the agent or
   * found after a restart). Until it is continued or aborted, the worktree is half-synced.
   */
  sync: z
    .object({
      strategy: SyncStrategy,
      /** Paths (relative to the worktree) with unresolved conflicts. */
      conflicts: z.array(z.string()),
    })
    .nullable(),
  /** The worktree folder is gone (deleted outside ChatML); `POST /sessions/:id/restore` re-creates it. */
  worktreeMissing: z.boolean(),
  /** The session branch is gone; restore re-creates it from the last commit ChatML saw, if it can. */
  branchMissing: z.boolean(),
});
export type SessionGitState = z.output<typeof SessionGitState>;

/** What a `git_operation` event in the session log reports. */
export const GitOperationKind = z.enum([
  'commit',
  'sync',
  'sync_continue',
  'sync_abort',
  'merge',
  'discard',
  'restore',
]);
export type GitOperationKind = z.output<typeof GitOperationKind>;
