import { copyFile, lstat, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
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
 * `git add` hash only files that changed (fast on big trees), and it keeps sparse checkout's
 * skip-worktree bits, without which files outside the sparse cone would look deleted. Marks that
 * hide a file's edits from `git add` are dropped from the copy (`unmarkHiddenFiles`). Git replaces
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
    await unmarkHiddenFiles(worktreePath, env, signal);
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
 * `git add` does not look at files marked assume-unchanged or skip-worktree (`git update-index`),
 * so without this an edit to one would be missing from the snapshot — from the diff, and from an
 * archive, which then removes the worktree with the edit in it. The snapshot (never the real index)
 * loses the marks; skip-worktree stays on a file that is not there, as sparse checkout leaves files
 * outside its cone: those are not deleted, only not checked out.
 */
async function unmarkHiddenFiles(
  worktreePath: string,
  env: Snapshot['env'],
  signal: AbortSignal | undefined,
): Promise<void> {
  const { stdout } = await runGit(['ls-files', '-v', '-z'], { cwd: worktreePath, env: { ...env }, signal });
  const assumed: string[] = [];
  const skipped: string[] = [];
  for (const entry of stdout.split('\0')) {
    // `<tag> <path>`: lower case for assume-unchanged, S (or s) for skip-worktree.
    const tag = entry[0];
    if (tag === undefined || entry[1] !== ' ') continue;
    const path = entry.slice(2);
    if (tag !== tag.toUpperCase()) assumed.push(path);
    if (tag === 'S' || tag === 's') skipped.push(path);
  }
  // In a sparse checkout skip-worktree is sparse-checkout's own mark, on every file outside its
  // cone (and git drops it from a file that shows up there); elsewhere it is set by hand, on a few.
  const isSparse =
    skipped.length > 0 &&
    (
      await runGit(['config', '--bool', 'core.sparseCheckout'], {
        cwd: worktreePath,
        signal,
        okExitCodes: [0, 1],
      })
    ).stdout.trim() === 'true';
  const present = isSparse ? [] : await filterAsync(skipped, (path) => existsInTree(worktreePath, path));
  for (const [flag, paths] of [
    // One flag per call: given both, git applies only one of them to paths read from stdin.
    ['--no-assume-unchanged', assumed],
    ['--no-skip-worktree', present],
  ] as const) {
    if (paths.length === 0) continue;
    const input = `${paths.join('\0')}\0`;
    await runGit(['update-index', flag, '-z', '--stdin'], {
      cwd: worktreePath,
      env: { ...env },
      signal,
      input,
    });
  }
}

async function existsInTree(worktreePath: string, path: string): Promise<boolean> {
  try {
    await lstat(join(worktreePath, path));
    return true;
  } catch {
    return false;
  }
}

async function filterAsync<T>(items: readonly T[], keep: (item: T) => Promise<boolean>): Promise<T[]> {
  const kept = await Promise.all(items.map(keep));
  return items.filter((_, index) => kept[index]);
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
