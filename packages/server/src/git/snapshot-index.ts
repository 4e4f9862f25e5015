import { copyFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GitError } from '../errors.js';
import { runGit } from './run-git.js';

/** A throwaway index holding the working tree, and what could not be put in it. */
export interface Snapshot {
  /** Environment that points git at the snapshot index instead of the worktree's own. */
  env: { GIT_INDEX_FILE: string };
  /**
   * Nested git repositories without a commit (`git init` but nothing committed): git cannot record
   * them, so they are missing from the snapshot. Paths as git prints them, e.g. `vendor/lib/`.
   */
  unindexedRepos: string[];
}

const UNINDEXABLE_REPO = /^error: '(.+)' does not have a commit checked out$/;

/**
 * Runs `use` with a throwaway index that holds the whole working tree of `worktreePath`: tracked
 * changes, deletions and untracked files that are not ignored (`git add --all`). The worktree's own
 * index — what the user or agent staged — is never written.
 *
 * The snapshot starts as a copy of the real index rather than empty: its cached file stats let
 * `git add` hash only files that changed (fast on big trees), and it keeps sparse-checkout and
 * skip-worktree bits, without which files outside the sparse cone would look deleted. Git replaces
 * the index by renaming a finished lock file, so the copy is never half-written.
 *
 * @example
 * const tree = await withSnapshotIndex(worktreePath, async ({ env }) =>
 *   (await runGit(['write-tree'], { cwd: worktreePath, env })).stdout.trim());
 */
export async function withSnapshotIndex<T>(
  worktreePath: string,
  use: (snapshot: Snapshot) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const { stdout } = await runGit(['rev-parse', '--git-path', 'index'], { cwd: worktreePath, signal });
  const realIndex = resolve(worktreePath, stdout.trim());
  const folder = await mkdtemp(join(tmpdir(), 'chatml-index-'));
  const env = { GIT_INDEX_FILE: join(folder, 'index') };
  try {
    await copyIndexKeepingMtime(realIndex, env.GIT_INDEX_FILE);
    // --ignore-errors: one freshly `git init`ed folder must not make the whole snapshot (and so the
    // session's diff) fail. Any other error still does.
    const args = ['add', '--all', '--ignore-errors'];
    const added = await runGit(args, { cwd: worktreePath, env: { ...env }, signal, okExitCodes: [0, 1] });
    const errors = added.stderr.split('\n').filter((line) => line.startsWith('error: '));
    const unindexedRepos = errors.flatMap((line) => UNINDEXABLE_REPO.exec(line)?.[1] ?? []);
    if (added.exitCode !== 0 && (errors.length === 0 || unindexedRepos.length !== errors.length)) {
      throw new GitError(args, added.exitCode, added.stderr);
    }
    return await use({ env, unindexedRepos });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Copies the index with its mtime, slightly backdated. Git trusts a cached stat only for entries
 * older than the index file itself ("racy git"): a file edited in the same timestamp tick as the
 * last index write, with the same size, is re-read only because its mtime is not older than the
 * index. A fresh copy would be newer than every entry and make such an edit look clean — losing it
 * from diffs and archives. Backdating by 1 ms errs on the side of re-reading.
 */
async function copyIndexKeepingMtime(from: string, to: string): Promise<void> {
  try {
    const original = await stat(from);
    await copyFile(from, to);
    await utimes(to, original.atime, new Date(original.mtimeMs - 1));
  } catch (error) {
    // No index yet (nothing ever staged or checked out): `git add` builds one from scratch.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
