import { realpathSync } from 'node:fs';
import type { Session } from '@chatml/protocol';
import type { GitStateRecord } from '../store/git-state-store.js';
import { runGit } from './run-git.js';
import { detectSyncInProgress } from './sync-state.js';
import { listWorktrees } from './worktree-list.js';
import { hasWorktree } from './worktree-presence.js';

/**
 * What start-up finds about each session of one repository: `git worktree prune` drops the entries
 * of worktree folders deleted by hand (git would otherwise keep their branches "checked out"); then
 * every session gets `worktreeMissing` (not archived, folder gone), `branchMissing`, the sync its
 * worktree is in the middle of, and `lastKnownHead` (its branch tip, from which restore can
 * re-create a branch deleted later). Nothing is deleted except those stale entries; a missing
 * worktree is reported, never silently re-created. Three git processes per repository, plus one per
 * session whose worktree is mid-sync.
 */
export async function scanSessionWorktrees(
  repoPath: string,
  sessions: readonly Pick<Session, 'id' | 'branch' | 'worktreePath' | 'status'>[],
): Promise<Map<string, Omit<GitStateRecord, 'lastKnownHead'> & { lastKnownHead: string | null }>> {
  await runGit(['worktree', 'prune'], { cwd: repoPath });
  const worktrees = await listWorktrees(repoPath);
  const { stdout } = await runGit(['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads/'], {
    cwd: repoPath,
  });
  const branchTips = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) branchTips.set(line.slice(space + 1).replace(/^refs\/heads\//, ''), line.slice(0, space));
  }

  const found = new Map<string, GitStateRecord>();
  for (const session of sessions) {
    const isArchived = session.status === 'archived';
    const hasFolder = !isArchived && hasWorktree(session.worktreePath);
    const realPath = hasFolder ? realpathSync(session.worktreePath) : null;
    const worktree = worktrees.find(
      (entry) => entry.path === realPath || entry.path === session.worktreePath,
    );
    const tip = branchTips.get(session.branch) ?? null;
    found.set(session.id, {
      sync: hasFolder ? await detectSyncInProgress(session.worktreePath) : null,
      worktreeMissing: !isArchived && !hasFolder,
      branchMissing: tip === null,
      lastKnownHead: tip ?? worktree?.headSha ?? null,
    });
  }
  return found;
}
