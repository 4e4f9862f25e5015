import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { MergeBody, Session, Workspace } from '@chatml/protocol';
import { ConflictError } from '../errors.js';
import { mergedRef } from './ref-names.js';
import { runGit } from './run-git.js';
import { detectSyncInProgress } from './sync-state.js';
import { refuseUncommittedChanges } from './uncommitted-changes.js';
import { hasWorktree } from './worktree-presence.js';

// The git questions merge back and restore ask about a session, apart from SessionGit's locking
// and events.

/** Refuses a merge back while a sync is unfinished or the worktree has uncommitted changes. */
export async function refuseUnfinishedWork(session: Session): Promise<void> {
  const sync = await detectSyncInProgress(session.worktreePath);
  if (sync) {
    throw new ConflictError(
      `A ${sync.strategy} with the base branch is in progress — continue or abort it first.`,
      {
        conflicts: sync.conflicts,
      },
    );
  }
  await refuseUncommittedChanges(session.worktreePath, {
    includeUntracked: true,
    advice: 'commit or discard them first; merge back takes only committed work.',
  });
}

/** The merge commit's message: the one commit's subject, or the squashed subjects listed. */
export async function defaultMergeMessage(
  session: Session,
  workspace: Workspace,
  strategy: MergeBody['strategy'],
): Promise<string> {
  if (strategy === 'merge') return `Merge branch '${session.branch}' into ${session.baseBranch}\n`;
  const { stdout } = await runGit(
    [
      'log',
      '--format=%s',
      '--no-merges',
      '--end-of-options',
      `refs/heads/${session.baseBranch}..refs/heads/${session.branch}`,
    ],
    { cwd: workspace.path, okExitCodes: [0, 128] },
  );
  const subjects = stdout.split('\n').filter(Boolean).reverse();
  if (subjects.length === 1) return `${subjects[0]}\n`;
  return `${session.name} (squashed from ${session.branch})\n\n${subjects.map((subject) => `* ${subject}`).join('\n')}\n`;
}

/**
 * Brings back a session branch that was deleted (after a merge, or by hand) from the ref kept at
 * merge time or the last head ChatML saw; refuses when neither exists.
 */
export async function recreateBranch(
  session: Session,
  workspace: Workspace,
  lastKnownHead: string | null | undefined,
): Promise<void> {
  const cwd = workspace.path;
  const exists = await runGit(['show-ref', '--verify', '--quiet', `refs/heads/${session.branch}`], {
    cwd,
    okExitCodes: [0, 1],
  });
  if (exists.exitCode === 0) return;
  // Newest first: the tip kept at merge time, the worktree's own last HEAD (a branch deleted by hand
  // under a live worktree: its reflog still has the tip), the head ChatML last recorded.
  const candidates = [mergedRef(session.id), await lastHeadOf(session.worktreePath), lastKnownHead];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const resolved = await runGit(
      ['rev-parse', '-q', '--verify', '--end-of-options', `${candidate}^{commit}`],
      {
        cwd,
        okExitCodes: [0, 1],
      },
    );
    if (resolved.exitCode !== 0) continue;
    await runGit(['branch', '--no-track', '--', session.branch, resolved.stdout.trim()], { cwd });
    return;
  }
  throw new ConflictError(
    `The branch ${session.branch} is gone and ChatML has no record of its last commit, so the session cannot be restored.`,
  );
}

/** Whether the worktree's HEAD resolves (false when its branch was deleted under it). */
export async function hasHead(worktreePath: string): Promise<boolean> {
  const head = await runGit(['rev-parse', '-q', '--verify', 'HEAD'], {
    cwd: worktreePath,
    okExitCodes: [0, 1],
  });
  return head.exitCode === 0;
}

/** The commit the worktree's HEAD last pointed at, from its reflog; null without a worktree or log. */
async function lastHeadOf(worktreePath: string): Promise<string | null> {
  if (!hasWorktree(worktreePath)) return null;
  try {
    const { stdout } = await runGit(['rev-parse', '--git-path', 'logs/HEAD'], { cwd: worktreePath });
    const log = await readFile(resolve(worktreePath, stdout.trim()), 'utf8');
    // Each line: "<old sha> <new sha> <who> <when>\t<message>".
    return log.trimEnd().split('\n').at(-1)?.split(' ')[1] ?? null;
  } catch {
    return null;
  }
}

/** The sentence a restore records in the session log. */
export function describeRestore(branch: string, outcome: 'none' | 'reapplied' | 'conflicted'): string {
  const work =
    outcome === 'reapplied'
      ? ' with its saved uncommitted work'
      : outcome === 'conflicted'
        ? '; its saved uncommitted work left conflict markers'
        : '';
  return `Restored the worktree from ${branch}${work}.`;
}

/**
 * Deletes a merged session branch and keeps its tip on refs/chatml/merged/<id> (for restore), in
 * one ref transaction and only if the branch is still at `tip`. Null when done, else git's reason.
 */
export async function retireMergedBranch(
  repoPath: string,
  sessionId: string,
  branch: string,
  tip: string,
): Promise<string | null> {
  const result = await runGit(['update-ref', '--stdin'], {
    cwd: repoPath,
    input: `update ${mergedRef(sessionId)} ${tip}\ndelete refs/heads/${branch} ${tip}\n`,
    okExitCodes: [0, 128],
  });
  return result.exitCode === 0 ? null : result.stderr.trim();
}
