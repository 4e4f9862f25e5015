import { ConflictError } from '../errors.js';
import { runGit } from './run-git.js';

export interface ListUncommittedOptions {
  /**
   * Which untracked files count: `'no'` none; `'all'` each file on its own (an untracked folder's
   * files one by one, so each can be discarded); `'as-configured'` whatever the user's
   * status.showUntrackedFiles says (by default an untracked folder is one `dir/` entry).
   */
  untrackedFiles: 'no' | 'all' | 'as-configured';
  /** Stops git (whoever asked went away). */
  signal?: AbortSignal;
}

/**
 * The worktree's uncommitted paths (staged, unstaged and the untracked ones asked for) in git's
 * order, each once: a rename or copy is listed by its new path.
 *
 * @example
 * const paths = await listUncommittedPaths(worktreePath, { untrackedFiles: 'all' });
 */
export async function listUncommittedPaths(
  worktreePath: string,
  options: ListUncommittedOptions,
): Promise<string[]> {
  return (await listUncommittedEntries(worktreePath, options)).map((entry) => entry.path);
}

export interface UncommittedEntry {
  path: string;
  /** Not known to git yet (`??`): a sync leaves it alone, a commit adds it. */
  isUntracked: boolean;
}

/** `listUncommittedPaths`, telling untracked paths from changes to tracked files. */
export async function listUncommittedEntries(
  worktreePath: string,
  options: ListUncommittedOptions,
): Promise<UncommittedEntry[]> {
  const untracked =
    options.untrackedFiles === 'as-configured' ? [] : [`--untracked-files=${options.untrackedFiles}`];
  const { stdout } = await runGit(['status', '--porcelain=v1', '-z', ...untracked], {
    cwd: worktreePath,
    signal: options.signal,
  });
  // Records are "XY <path>\0"; with -z paths are never quoted, so spaces and quotes come out as is.
  const records = stdout.split('\0');
  const entries: UncommittedEntry[] = [];
  for (let index = 0; index < records.length; index++) {
    const record = records[index] ?? '';
    if (record.length < 4) continue;
    entries.push({ path: record.slice(3), isUntracked: record.startsWith('??') });
    // A rename or copy is followed by a field of its own holding the source path, which has no
    // "XY " prefix: it must be skipped, not parsed as another record.
    if (record[0] === 'R' || record[0] === 'C') index++;
  }
  return entries;
}

export interface RefuseUncommittedOptions {
  /**
   * Whether untracked files count as uncommitted work. Sync ignores them (rebase and merge leave
   * them alone, and git itself refuses when one would be overwritten); merge back does not, since
   * it takes only what is committed and new files would be left behind.
   */
  includeUntracked: boolean;
  /** What the user should do, ending the message: "commit or discard them before syncing." */
  advice: string;
}

/**
 * Throws a ConflictError naming the worktree's uncommitted paths (the first five in the message,
 * all of them as `conflicts`) when there are any; resolves when the worktree is clean.
 *
 * @example
 * await refuseUncommittedChanges(worktreePath, { includeUntracked: false, advice: 'commit or discard them before syncing.' });
 */
export async function refuseUncommittedChanges(
  worktreePath: string,
  options: RefuseUncommittedOptions,
): Promise<void> {
  // Untracked files follow the user's status.showUntrackedFiles, as merge back always has.
  const paths = await listUncommittedPaths(worktreePath, {
    untrackedFiles: options.includeUntracked ? 'as-configured' : 'no',
  });
  if (paths.length > 0) {
    throw new ConflictError(
      `The session has uncommitted changes (${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ', …' : ''}) — ${options.advice}`,
      { conflicts: paths },
    );
  }
}
