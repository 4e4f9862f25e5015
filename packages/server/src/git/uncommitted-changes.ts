import { ConflictError } from '../errors.js';
import { runGit } from './run-git.js';

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
  // Without the flag git follows the user's status.showUntrackedFiles, as merge back always has.
  const untracked = options.includeUntracked ? [] : ['--untracked-files=no'];
  const { stdout } = await runGit(['status', '--porcelain=v1', '-z', ...untracked], { cwd: worktreePath });
  const paths = stdout
    .split('\0')
    .filter((record) => record.length > 3)
    .map((record) => record.slice(3));
  if (paths.length > 0) {
    throw new ConflictError(
      `The session has uncommitted changes (${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ', …' : ''}) — ${options.advice}`,
      { conflicts: paths },
    );
  }
}
