import { scanSessionWorktrees } from '../git/stale-worktrees.js';
import type { SessionGitDeps } from './session-git.js';

/**
 * At start-up, before requests: prunes worktree entries whose folders are gone and records, per
 * session, a missing worktree or branch, a sync left in progress, and the branch tip (so a
 * branch deleted later can be re-created). A repository that cannot be read is logged and skipped.
 */
export async function recoverGitStates(
  deps: Pick<SessionGitDeps, 'workspaces' | 'sessions' | 'gitStates' | 'repoLock' | 'logger'>,
): Promise<void> {
  for (const workspace of deps.workspaces.list()) {
    if (workspace.status !== 'ready') continue;
    const sessions = deps.sessions.list(workspace.id);
    if (sessions.length === 0) continue;
    try {
      const found = await deps.repoLock.run(workspace.path, () =>
        scanSessionWorktrees(workspace.path, sessions),
      );
      for (const [sessionId, state] of found) {
        const previous = deps.gitStates.get(sessionId);
        deps.gitStates.update(sessionId, {
          ...state,
          lastKnownHead: state.lastKnownHead ?? previous.lastKnownHead,
        });
      }
    } catch (error) {
      deps.logger.warn(`checking the worktrees of ${workspace.path} failed: ${(error as Error).message}`);
    }
  }
}
