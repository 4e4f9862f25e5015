import { ConflictError, GitError } from '../errors.js';
import { withCommitIdentity } from './git-identity.js';
import { runGit } from './run-git.js';
import { detectSyncInProgress } from './sync-state.js';

/**
 * Commits everything in the worktree — tracked changes, deletions and untracked files that are not
 * ignored (`git add --all`) — with `message`, through plain `git commit`, so the user's hooks,
 * signing and identity apply (ChatML's identity only when git has none). Refuses with a
 * ConflictError when there is nothing to commit, while a sync stops on conflicts (continue or
 * abort it instead), and when a hook rejects the commit.
 *
 * @example
 * const { sha } = await commitAll({ worktreePath, message: 'Add a --verbose flag' });
 */
export async function commitAll(options: {
  worktreePath: string;
  message: string;
}): Promise<{ sha: string }> {
  const { worktreePath, message } = options;
  const sync = await detectSyncInProgress(worktreePath);
  if (sync) {
    throw new ConflictError(
      `A ${sync.strategy} with the base branch is in progress — continue or abort it before committing.`,
    );
  }
  await runGit(['add', '--all'], { cwd: worktreePath });
  const staged = await runGit(['diff', '--cached', '--quiet'], { cwd: worktreePath, okExitCodes: [0, 1] });
  if (staged.exitCode === 0) {
    throw new ConflictError('Nothing to commit: the session has no uncommitted changes.');
  }
  try {
    await withCommitIdentity((env) =>
      runGit(['commit', '--quiet', '--no-edit', '-F', '-'], { cwd: worktreePath, env, input: message }),
    );
  } catch (error) {
    if (error instanceof GitError && error.exitCode === 1) {
      // A pre-commit or commit-msg hook said no; its output says why.
      throw new ConflictError(`git commit was refused: ${error.stderr.trim().slice(-1000)}`, {
        cause: error,
      });
    }
    throw error;
  }
  const { stdout } = await runGit(['rev-parse', 'HEAD'], { cwd: worktreePath });
  return { sha: stdout.trim() };
}
