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
  /** The session's branch: HEAD must be on it, or the commit would land elsewhere (or nowhere). */
  branch?: string;
}): Promise<{ sha: string }> {
  const { worktreePath, message, branch } = options;
  const sync = await detectSyncInProgress(worktreePath);
  if (sync) {
    throw new ConflictError(
      `A ${sync.strategy} with the base branch is in progress — continue or abort it before committing.`,
    );
  }
  await refuseOffBranch(worktreePath, branch);
  await runGit(['add', '--all'], { cwd: worktreePath });
  const staged = await runGit(['diff', '--cached', '--quiet'], { cwd: worktreePath, okExitCodes: [0, 1] });
  if (staged.exitCode === 0) {
    throw new ConflictError('Nothing to commit: the session has no uncommitted changes.');
  }
  const withMarkers = await filesAddingConflictMarkers(worktreePath);
  if (withMarkers.length > 0) {
    await runGit(['reset', '-q'], { cwd: worktreePath }); // staged by us a moment ago: unstaged again
    throw new ConflictError(
      `These files still have conflict markers (<<<<<<< or >>>>>>> lines): ${withMarkers.join(', ')} — resolve them (or ask the agent to), then commit.`,
      { conflicts: withMarkers },
    );
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

/** Refuses a commit whose HEAD is detached or on another branch than the session's. */
async function refuseOffBranch(worktreePath: string, branch: string | undefined): Promise<void> {
  const head = await runGit(['symbolic-ref', '-q', 'HEAD'], { cwd: worktreePath, okExitCodes: [0, 1] });
  const current = head.stdout.trim().replace(/^refs\/heads\//, '');
  if (head.exitCode !== 0) {
    throw new ConflictError(
      `The worktree is not on a branch (its HEAD is detached), so a commit would belong to no branch. Check out ${branch ?? 'the session branch'} in it first.`,
    );
  }
  if (branch !== undefined && current !== branch) {
    throw new ConflictError(
      `The worktree is on ${current}, not on the session branch ${branch}. Check out ${branch} in it first.`,
    );
  }
}

/** Staged files whose change adds a conflict marker line (markers already committed do not count). */
async function filesAddingConflictMarkers(worktreePath: string): Promise<string[]> {
  const { stdout } = await runGit(
    ['diff', '--cached', '-U0', '--no-color', '--no-ext-diff', '-G^(<{7}|>{7})( |$)', '--'],
    { cwd: worktreePath, config: { 'core.quotePath': 'false' } },
  );
  const flagged = new Set<string>();
  let file = '';
  for (const line of stdout.split('\n')) {
    if (line.startsWith('+++ ')) file = line.replace(/^\+\+\+ (b\/)?/, '');
    else if (/^\+(<{7}|>{7})( |$)/.test(line)) flagged.add(file);
  }
  return [...flagged];
}
