import { z } from 'zod';
import { DiffResponse, FileDiff, Session } from './api.js';
import { MergeStrategy, SyncStrategy } from './git-state.js';

/**
 * REST bodies and responses for a session's way out: changes (per-commit diffs, file at a ref,
 * discard, a paged diff), commit, sync with the base branch, merge back and restore. See the
 * "Git" section of docs/API.md; the design is in docs/GIT.md.
 */

/** A commit message: git strips surrounding blank lines anyway; an empty one is refused. */
const CommitMessage = z.string().trim().min(1, 'the commit message is empty').max(100_000);

// ---- changes -----------------------------------------------------------------------------------

/** `GET /sessions/:id/diff?offset=&limit=`: paging by file; without `limit`, every file. */
export const DiffQuery = z.object({
  offset: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export type DiffQuery = z.output<typeof DiffQuery>;

/** The diff with paging fields added (the unpaged fields are unchanged). */
export const DiffPage = DiffResponse.extend({
  /** Changed files in the whole diff; `files` holds `offset`.. at most `limit` of them. */
  totalFiles: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  /** Offset of the next page, or null on the last one. */
  nextOffset: z.number().int().nonnegative().nullable(),
  /** Sums over the whole diff, not just this page. */
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
});
export type DiffPage = z.output<typeof DiffPage>;

export const CommitInfo = z.object({
  sha: z.string(),
  parents: z.array(z.string()),
  subject: z.string(),
  body: z.string(),
  authorName: z.string(),
  authorEmail: z.string(),
  /** Milliseconds since the epoch. */
  authoredAt: z.number().int(),
});
export type CommitInfo = z.output<typeof CommitInfo>;

/** `GET /sessions/:id/commits`: the session branch's own commits (merge-base..HEAD), newest first. */
export const CommitList = z.object({
  /** Null only when the branch is gone (`unavailableReason: 'branch_missing'`). */
  mergeBase: z.string().nullable(),
  commits: z.array(CommitInfo),
  /**
   * Worktree-relative paths with uncommitted changes (tracked edits, deletions, untracked files
   * that are not ignored; a rename names its new path), sorted, at most 1000 — what a commit would
   * take and what discard can throw away. `uncommittedCount` is the full number.
   */
  uncommitted: z.array(z.string()),
  uncommittedCount: z.number().int().nonnegative(),
  /**
   * How many of those are tracked files (staged or unstaged edits, deletions, renames): what stops a
   * sync, which leaves untracked files alone.
   */
  trackedUncommittedCount: z.number().int().nonnegative(),
  /**
   * Commits on the base branch that the session branch does not have yet (what a sync would bring
   * in); 0 when it is up to date, null when the branch is gone.
   */
  behindBase: z.number().int().nonnegative().nullable(),
  /**
   * The branch has commits of its own, yet merging it would leave the base's files as they are: its
   * changes are on the base already (squash-merged, or brought there another way). Merge is moot.
   */
  mergedIntoBase: z.boolean(),
  /**
   * Null when the branch was read. `branch_missing`: the session branch is gone (deleted when the
   * session was merged back and archived, or by hand), so there is nothing to list; restore
   * re-creates it. A session without a worktree (archived) is read from its branch, with nothing
   * uncommitted.
   */
  unavailableReason: z.enum(['branch_missing']).nullable(),
});
export type CommitList = z.output<typeof CommitList>;

/** `GET /sessions/:id/commits/:sha/diff`: one commit against its first parent. */
export const CommitDiff = z.object({ commit: CommitInfo, files: z.array(FileDiff) });
export type CommitDiff = z.output<typeof CommitDiff>;

/** `GET /sessions/:id/file?ref=&path=`: a file as it is at a commit of the session's repository. */
export const FileAtRefQuery = z.object({
  /** A commit sha, `HEAD`, a branch name, or `HEAD~N`/`<branch>~N`. */
  ref: z.string().min(1).max(255),
  /** Relative to the repository root, `/`-separated; no `..`, no absolute paths. */
  path: z.string().min(1).max(4096),
});
export type FileAtRefQuery = z.output<typeof FileAtRefQuery>;

export const FileAtRef = z.object({
  ref: z.string(),
  /** The commit `ref` resolved to. */
  commit: z.string(),
  path: z.string(),
  /** `file`, `executable` or `symlink` (whose content is the link target; it is never followed). */
  kind: z.enum(['file', 'executable', 'symlink']),
  size: z.number().int().nonnegative(),
  /** Contains NUL bytes in its first 8000 bytes (git's rule); then `content` is base64. */
  binary: z.boolean(),
  encoding: z.enum(['utf8', 'base64']),
  /** Null when the file is larger than the limit (`tooLarge`). */
  content: z.string().nullable(),
  tooLarge: z.boolean(),
});
export type FileAtRef = z.output<typeof FileAtRef>;

/**
 * `POST /sessions/:id/discard`: throw away the uncommitted changes of these paths — tracked files go
 * back to HEAD, untracked ones are deleted. `confirm: true` is required so that no stray request
 * (or a client bug sending `{}`) can discard anything.
 */
export const DiscardBody = z
  .object({
    paths: z.array(z.string().min(1).max(4096)).min(1).max(1000),
    confirm: z.literal(true),
  })
  .strict();
export type DiscardBody = z.output<typeof DiscardBody>;

export const DiscardResponse = z.object({
  /** Paths restored from HEAD. */
  restored: z.array(z.string()),
  /** Untracked paths deleted. */
  deleted: z.array(z.string()),
});
export type DiscardResponse = z.output<typeof DiscardResponse>;

// ---- commit, sync, merge back, restore ---------------------------------------------------------

export const CommitBody = z.object({ message: CommitMessage }).strict();
export type CommitBody = z.output<typeof CommitBody>;

export const CommitResponse = z.object({ sha: z.string() });
export type CommitResponse = z.output<typeof CommitResponse>;

export const SyncBody = z.object({ strategy: SyncStrategy }).strict();
export type SyncBody = z.output<typeof SyncBody>;

/** Also the answer of `sync/continue`. `ok: false` means it stopped on `conflicts` (see gitState). */
export const SyncResponse = z.object({
  ok: z.boolean(),
  conflicts: z.array(z.string()),
  strategy: SyncStrategy,
  /** The base had nothing new: nothing was done. */
  upToDate: z.boolean(),
  /** The worktree's HEAD afterwards. */
  head: z.string(),
});
export type SyncResponse = z.output<typeof SyncResponse>;

export const MergeBody = z
  .object({
    strategy: MergeStrategy,
    /** Archive the session and delete its branch afterwards; default: the `archiveAfterMerge` setting. */
    archive: z.boolean().optional(),
    /** The commit message; default: generated from the session name and its commits. */
    message: CommitMessage.optional(),
  })
  .strict();
export type MergeBody = z.output<typeof MergeBody>;

export const MergeResponse = z.object({
  /** The new tip of the base branch. */
  sha: z.string(),
  strategy: MergeStrategy,
  baseBranch: z.string(),
  /** The checkout whose files were updated because it has the base branch checked out, else null. */
  updatedCheckout: z.string().nullable(),
  archived: z.boolean(),
  branchDeleted: z.boolean(),
});
export type MergeResponse = z.output<typeof MergeResponse>;

/** What restoring found in the archive: nothing, work brought back, or work with conflict markers. */
export const RestoredWork = z.enum(['none', 'reapplied', 'conflicted']);

export const RestoreResponse = Session.extend({ restoredWork: RestoredWork });
export type RestoreResponse = z.output<typeof RestoreResponse>;
