import type { SyncResponse, SyncStrategy } from '@chatml/protocol';
import { BadRequestError, ConflictError, GitError } from '../errors.js';
import { readRegularFile } from '../util/read-regular-file.js';
import { identityEnv } from './git-identity.js';
import { validateBranchName } from './ref-names.js';
import { type GitResult, runGit } from './run-git.js';
import { detectSyncInProgress, type SyncInProgress } from './sync-state.js';
import { refuseUncommittedChanges } from './uncommitted-changes.js';

export interface SyncOptions {
  worktreePath: string;
  /** The branch the session was cut from; its current tip is what gets brought in. */
  baseBranch: string;
  /** The session branch, for the merge commit's message. */
  branch: string;
  strategy: SyncStrategy;
}

/**
 * Git must never stop to ask: no editor (rebase and merge would open one for messages), no
 * autostash (it would hide uncommitted work in a stash on conflict), no `--update-refs` (it would
 * move other branches), and an explicit `--ff` over the user's `merge.ff=only`.
 */
const NON_INTERACTIVE = { GIT_EDITOR: 'true', GIT_SEQUENCE_EDITOR: 'true', GIT_MERGE_AUTOEDIT: 'no' };
const SYNC_CONFIG = { 'rebase.autoStash': 'false', 'merge.autoStash': 'false', 'rebase.updateRefs': 'false' };

/**
 * Brings the base branch's new commits into the session branch, by rebase or merge, in the
 * worktree. Refuses (ConflictError) with uncommitted tracked changes — commit or discard them first;
 * a conflicted sync must be undoable by `abortSync` without losing anything — and while another
 * sync is in progress. On conflict git stops where it is: the result says which paths, and the
 * worktree stays in git's own "rebase/merge in progress" state until `continueSync` or `abortSync`.
 *
 * @example
 * const { ok, conflicts } = await syncWithBase({ worktreePath, baseBranch: 'main', branch, strategy: 'rebase' });
 */
export async function syncWithBase(options: SyncOptions): Promise<SyncResponse> {
  const { worktreePath, strategy } = options;
  const baseBranch = await validateBranchName(options.baseBranch);
  await refuseWhileInProgress(worktreePath);
  const [head, base] = await revParse(worktreePath, ['HEAD', `${baseBranch}^{commit}`]);
  if (!head || !base) {
    throw new BadRequestError(
      `The base branch ${JSON.stringify(baseBranch)} does not exist in this repository.`,
    );
  }
  const isUpToDate = await isAncestor(worktreePath, base, head);
  if (isUpToDate) return { ok: true, conflicts: [], strategy, upToDate: true, head };
  await refuseUncommittedChanges(worktreePath, {
    includeUntracked: false,
    advice: 'commit or discard them before syncing.',
  });

  const env = { ...NON_INTERACTIVE, ...(await identityEnv(worktreePath)) };
  const args =
    strategy === 'rebase'
      ? ['rebase', '--no-autostash', '--quiet', base]
      : [
          'merge',
          '--ff',
          '--no-autostash',
          '--quiet',
          '-m',
          `Merge ${baseBranch} into ${options.branch}`,
          base,
        ];
  const result = await runGit(args, {
    cwd: worktreePath,
    env,
    config: SYNC_CONFIG,
    okExitCodes: [0, 1, 2, 128],
  });
  return finish(worktreePath, strategy, args, result);
}

/** What a sync did, for the session log: up to date, synced, or stopped on which conflicts. */
export function describeSync(result: SyncResponse, baseBranch: string): string {
  if (result.upToDate) return `Already up to date with ${baseBranch}.`;
  if (result.ok) return `Synced with ${baseBranch} (${result.strategy}).`;
  const where = result.conflicts.join(', ') || 'the worktree';
  return `The ${result.strategy} with ${baseBranch} stopped on conflicts in ${where}: resolve them, then continue — or abort.`;
}

/**
 * Goes on with a sync that stopped on conflicts, once they are resolved: refuses (ConflictError,
 * listing them) while a conflicted file still holds conflict markers; otherwise stages the tracked
 * changes (`git add -u`: resolutions and deletions, no new untracked files) and runs `rebase
 * --continue` (a commit that became empty is skipped: its change is already on the base) or commits
 * the merge. A rebase may stop again on the next commit.
 */
export async function continueSync(worktreePath: string): Promise<SyncResponse> {
  const sync = await detectSyncInProgress(worktreePath);
  if (!sync) throw new ConflictError('No sync with the base branch is in progress in this session.');
  const withMarkers = await filesWithConflictMarkers(worktreePath, sync.conflicts);
  if (withMarkers.length > 0) {
    throw new ConflictError(
      `These files still have conflict markers: ${withMarkers.join(', ')} — resolve them (or ask the agent to), then continue.`,
      { conflicts: withMarkers },
    );
  }
  await runGit(['add', '-u'], { cwd: worktreePath });
  const env = { ...NON_INTERACTIVE, ...(await identityEnv(worktreePath)) };
  let args = sync.strategy === 'rebase' ? ['rebase', '--continue'] : ['commit', '--no-edit', '--quiet'];
  let result = await runGit(args, { cwd: worktreePath, env, config: SYNC_CONFIG, okExitCodes: [0, 1, 128] });
  if (
    sync.strategy === 'rebase' &&
    result.exitCode !== 0 &&
    /No changes|nothing to commit/i.test(result.stdout + result.stderr)
  ) {
    args = ['rebase', '--skip'];
    result = await runGit(args, { cwd: worktreePath, env, config: SYNC_CONFIG, okExitCodes: [0, 1, 128] });
  }
  return finish(worktreePath, sync.strategy, args, result);
}

/**
 * Undoes a sync that stopped: `rebase --abort` / `merge --abort` put the branch and the worktree
 * back as they were before it started (nothing uncommitted was there: sync refuses to start then).
 */
export async function abortSync(worktreePath: string): Promise<{ strategy: SyncStrategy; head: string }> {
  const sync = await detectSyncInProgress(worktreePath);
  if (!sync) throw new ConflictError('No sync with the base branch is in progress in this session.');
  await runGit([sync.strategy, '--abort'], { cwd: worktreePath, env: NON_INTERACTIVE });
  const [head] = await revParse(worktreePath, ['HEAD']);
  return { strategy: sync.strategy, head: head ?? '' };
}

async function finish(
  worktreePath: string,
  strategy: SyncStrategy,
  args: string[],
  result: GitResult,
): Promise<SyncResponse> {
  const stopped: SyncInProgress | null = await detectSyncInProgress(worktreePath);
  const [head] = await revParse(worktreePath, ['HEAD']);
  if (stopped) {
    return {
      ok: false,
      conflicts: stopped.conflicts,
      strategy: stopped.strategy,
      upToDate: false,
      head: head ?? '',
    };
  }
  if (result.exitCode !== 0) {
    // Git refused before starting (say, an untracked file would be overwritten): nothing changed.
    const why = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-4).join(' ');
    throw new ConflictError(`git ${args[0]} did not run: ${why}`, {
      cause: new GitError(args, result.exitCode, result.stderr),
    });
  }
  return { ok: true, conflicts: [], strategy, upToDate: false, head: head ?? '' };
}

async function refuseWhileInProgress(worktreePath: string): Promise<void> {
  const sync = await detectSyncInProgress(worktreePath);
  if (sync) {
    throw new ConflictError(
      `A ${sync.strategy} is already in progress in this session — continue or abort it first.`,
      { conflicts: sync.conflicts },
    );
  }
}

const CONFLICT_MARKER = /^(<{7}|>{7})( |$)/m;
/** Conflict markers are looked for in this much of each file (a source file is far smaller). */
const MAX_CHECKED_BYTES = 32 * 1024 * 1024;

async function filesWithConflictMarkers(worktreePath: string, paths: readonly string[]): Promise<string[]> {
  const flagged: string[] = [];
  for (const path of paths) {
    // Only regular files inside the worktree: a FIFO or a symlink to a device left at a conflicted
    // path must not hang the continue (and the repository's lock with it).
    const text = (await readRegularFile(worktreePath, path, MAX_CHECKED_BYTES))?.toString('utf8') ?? '';
    if (CONFLICT_MARKER.test(text)) flagged.push(path);
  }
  return flagged;
}

async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const { exitCode } = await runGit(['merge-base', '--is-ancestor', ancestor, descendant], {
    cwd,
    okExitCodes: [0, 1],
  });
  return exitCode === 0;
}

/** Resolves revisions to object names; a missing one is null. */
export async function revParse(cwd: string, revisions: readonly string[]): Promise<(string | null)[]> {
  const results: (string | null)[] = [];
  for (const revision of revisions) {
    const { stdout, exitCode } = await runGit(['rev-parse', '-q', '--verify', '--end-of-options', revision], {
      cwd,
      okExitCodes: [0, 1],
    });
    results.push(exitCode === 0 ? stdout.trim() : null);
  }
  return results;
}
