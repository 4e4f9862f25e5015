import type { MergeBody, Session, SessionEventPayload, Workspace } from '@chatml/protocol';
import { ConflictError, SessionBusyError } from '../errors.js';
import { mergeBack } from '../git/merge-back.js';
import { defaultMergeMessage, refuseUnfinishedWork } from '../git/session-branch.js';
import type { GitStateStore } from '../store/git-state-store.js';
import type { SessionManager } from './session-manager.js';

/**
 * Holds the turns of the live session (other than `exceptId`) whose worktree has `branch` checked
 * out — the base of a merge back can be another session's branch, and merging moves that worktree,
 * which must not change under its agent's feet. Refused while its agent works. Returns the release.
 */
export function holdSessionOnBranch(
  sessions: SessionManager,
  workspaceId: string,
  branch: string,
  exceptId: string,
): () => void {
  const holder = sessions
    .list(workspaceId)
    .find((other) => other.id !== exceptId && other.branch === branch && other.status !== 'archived');
  if (!holder) return () => {};
  const controller = sessions.controller(holder.id);
  if (controller.isBusy) {
    throw new SessionBusyError(
      `The agent of session ${holder.name} is working on ${branch} — wait for its turn to end (or interrupt it), then merge back into it.`,
    );
  }
  const release = controller.holdTurns();
  return () => {
    release();
    sessions.refreshDiffStats(holder.id); // its branch has the merge now
  };
}

/**
 * Merges the session's branch into its base (git/merge-back.ts) once its worktree has nothing
 * unfinished, and records the outcome in its log — a refusal with its conflicts too.
 */
export async function mergeSessionBranch(options: {
  session: Session;
  workspace: Workspace;
  body: MergeBody;
  record: (payload: SessionEventPayload<'git_operation'>) => void;
  gitStates: GitStateStore;
}): Promise<Awaited<ReturnType<typeof mergeBack>>> {
  const { session, workspace, body, record } = options;
  // The worktree check (a pass over every file) runs alongside the merge computation; the merge
  // waits for it before it changes any ref or file.
  const worktreeCheck = refuseUnfinishedWork(session);
  worktreeCheck.catch(() => {
    // Awaited below (or by beforeUpdate); this only keeps an early failure from going unhandled.
  });
  const message = body.message ?? (await defaultMergeMessage(session, workspace, body.strategy));
  const merged = await mergeBack({
    repoPath: workspace.path,
    baseBranch: session.baseBranch,
    branch: session.branch,
    strategy: body.strategy,
    message,
    beforeUpdate: () => worktreeCheck,
  }).catch(async (error: unknown) => {
    // A refusal of the session's own state wins over what the merge found.
    await worktreeCheck;
    if (error instanceof ConflictError) {
      record({
        kind: 'merge',
        ok: false,
        strategy: body.strategy,
        conflicts: error.conflicts ? [...error.conflicts] : undefined,
        message: error.message,
      });
    }
    throw error;
  });
  options.gitStates.update(session.id, { lastKnownHead: merged.mergedTip });
  record({
    kind: 'merge',
    ok: true,
    sha: merged.sha,
    strategy: body.strategy,
    message: `Merged into ${session.baseBranch} (${body.strategy}).`,
  });
  return merged;
}
