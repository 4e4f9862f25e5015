import type {
  CommitDiff,
  CommitList,
  CommitResponse,
  DiffPage,
  DiffQuery,
  DiscardResponse,
  FileAtRef,
  MergeBody,
  MergeResponse,
  RestoreResponse,
  Session,
  SessionEventPayload,
  SyncResponse,
  SyncStrategy,
  Workspace,
} from '@chatml/protocol';
import { ConflictError, NotFoundError, SessionBusyError } from '../errors.js';
import { commitAll } from '../git/commit.js';
import { commitDiff, listCommitsOf } from '../git/commits.js';
import { sessionDiffPage } from '../git/diff-pages.js';
import { type DiffStream, streamSessionDiff } from '../git/diff-service.js';
import { discardChanges } from '../git/discard.js';
import { fileAtRef } from '../git/file-at-ref.js';
import { runGit } from '../git/run-git.js';
import { describeRestore, hasHead, recreateBranch, retireMergedBranch } from '../git/session-branch.js';
import { abortSync, continueSync, describeSync, syncWithBase } from '../git/sync.js';
import { detectSyncInProgress } from '../git/sync-state.js';
import { hasWorktree, worktreeProblem } from '../git/worktree-presence.js';
import type { Hub } from '../hub/hub.js';
import type { Logger } from '../logger.js';
import type { GitStateStore } from '../store/git-state-store.js';
import type { WorkspaceStore } from '../store/workspace-store.js';
import type { KeyedLock } from '../util/keyed-lock.js';
import { recoverGitStates } from './git-recovery.js';
import { holdSessionOnBranch, mergeSessionBranch } from './merge-session.js';
import type { SessionManager } from './session-manager.js';

export interface SessionGitDeps {
  sessions: SessionManager;
  workspaces: WorkspaceStore;
  gitStates: GitStateStore;
  hub: Hub;
  /** The same per-repository lock session creation and archive use: one git writer per repo. */
  repoLock: KeyedLock;
  logger: Logger;
  /** The `archiveAfterMerge` setting: the default for a merge without `archive` (asked at each merge). */
  archiveAfterMerge(): boolean;
}

interface Target {
  session: Session;
  workspace: Workspace;
}

/**
 * The way out of a session, for the HTTP routes: changes (diff pages, commits, file at a ref,
 * discard), commit, sync with the base branch, merge back and restore. Every operation that writes
 * runs under the repository's lock, refuses while the agent runs a turn (it would race the agent's
 * edits) and holds new turns back until it is done; every outcome is recorded in the session log
 * (`git_operation`) and pushed to clients (`session_updated`).
 */
export class SessionGit {
  constructor(private readonly deps: SessionGitDeps) {}

  // ---- reading -----------------------------------------------------------------------------------
  diff(sessionId: string, query: DiffQuery): Promise<DiffPage> {
    const { session } = this.activeTarget(sessionId, 'see its diff');
    return sessionDiffPage({ worktreePath: session.worktreePath, baseBranch: session.baseBranch, ...query });
  }

  /** The whole diff from `offset` on (no page limit), written as JSON while git produces it. */
  diffStream(sessionId: string, offset: number, signal?: AbortSignal): Promise<DiffStream> {
    const { worktreePath, baseBranch } = this.activeTarget(sessionId, 'see its diff').session;
    return streamSessionDiff({ worktreePath, baseBranch, offset, signal });
  }

  /** Without a worktree (archived, or its folder deleted) the kept branch is read in the repository. */
  commits(sessionId: string, signal?: AbortSignal): Promise<CommitList> {
    const { session, workspace } = this.target(sessionId);
    const { worktreePath, branch, baseBranch } = session;
    const hasWorktree = session.status !== 'archived';
    return listCommitsOf({ worktreePath, hasWorktree, repoPath: workspace.path, branch, baseBranch, signal });
  }

  commitDiff(sessionId: string, sha: string): Promise<CommitDiff> {
    const { workspace } = this.target(sessionId);
    return commitDiff({ worktreePath: workspace.path, sha });
  }

  /** Works for archived sessions too: it reads from the repository, not the worktree. */
  fileAtRef(sessionId: string, ref: string, path: string): Promise<FileAtRef> {
    const { session, workspace } = this.target(sessionId);
    const cwd = hasWorktree(session.worktreePath) ? session.worktreePath : workspace.path;
    return fileAtRef({ cwd, ref, path });
  }

  /** Re-reads the sync state, and whether the worktree is there at all (e.g. deleted by hand). */
  async refresh(sessionId: string): Promise<Session> {
    const { session } = this.target(sessionId);
    if (session.status !== 'archived') {
      const missing = !hasWorktree(session.worktreePath);
      const sync = missing ? null : await detectSyncInProgress(session.worktreePath);
      // A branch deleted under the worktree leaves HEAD pointing at nothing.
      const branch = missing ? {} : { branchMissing: !(await hasHead(session.worktreePath)) };
      this.deps.gitStates.update(sessionId, { sync, worktreeMissing: missing, ...branch });
      this.announce(sessionId);
    }
    return this.deps.sessions.get(sessionId);
  }

  // ---- writing -----------------------------------------------------------------------------------
  discard(sessionId: string, paths: readonly string[]): Promise<DiscardResponse> {
    return this.mutate(sessionId, 'discard changes', async ({ session }) => {
      const result = await discardChanges({ worktreePath: session.worktreePath, paths });
      // Discarding a conflicted file resolves it (to HEAD's side): the sync state must say so.
      this.deps.gitStates.update(sessionId, { sync: await detectSyncInProgress(session.worktreePath) });
      const count = result.restored.length + result.deleted.length;
      this.record(sessionId, {
        kind: 'discard',
        ok: true,
        message: `Discarded the changes of ${count === 1 ? '1 path' : `${count} paths`}: ${paths.join(', ')}`,
      });
      return result;
    });
  }

  commit(sessionId: string, message: string): Promise<CommitResponse> {
    return this.mutate(sessionId, 'commit', async ({ session: { worktreePath, branch } }) => {
      const { sha } = await commitAll({ worktreePath, message, branch });
      this.deps.gitStates.update(sessionId, { lastKnownHead: sha });
      this.record(sessionId, { kind: 'commit', ok: true, sha, message: message.split('\n')[0] });
      return { sha };
    });
  }

  sync(sessionId: string, strategy: SyncStrategy): Promise<SyncResponse> {
    return this.mutate(sessionId, 'sync', async ({ session }) => {
      const result = await syncWithBase({
        worktreePath: session.worktreePath,
        baseBranch: session.baseBranch,
        branch: session.branch,
        strategy,
      });
      this.afterSync(sessionId, 'sync', result, session.baseBranch);
      return result;
    });
  }

  continueSync(sessionId: string): Promise<SyncResponse> {
    return this.mutate(sessionId, 'continue the sync', async ({ session }) => {
      const result = await continueSync(session.worktreePath);
      this.afterSync(sessionId, 'sync_continue', result, session.baseBranch);
      return result;
    });
  }

  abortSync(sessionId: string): Promise<SyncResponse> {
    return this.mutate(sessionId, 'abort the sync', async ({ session }) => {
      const { strategy, head } = await abortSync(session.worktreePath);
      this.deps.gitStates.update(sessionId, { sync: null, lastKnownHead: head });
      this.record(sessionId, {
        kind: 'sync_abort',
        ok: true,
        sha: head,
        strategy,
        message: `Aborted the ${strategy}; the session is as it was before the sync.`,
      });
      return { ok: true, conflicts: [], strategy, upToDate: false, head };
    });
  }

  /** Puts the conflict list into the conversation so the agent resolves the files. */
  async resolveWithAgent(sessionId: string): Promise<{ messageId: string; queued: boolean }> {
    const { session } = this.activeTarget(sessionId, 'resolve conflicts');
    const sync = await detectSyncInProgress(session.worktreePath);
    if (!sync) throw new ConflictError('No sync with the base branch is in progress in this session.');
    this.deps.gitStates.update(sessionId, { sync });
    const text = [
      `${sync.strategy === 'rebase' ? `A rebase of this branch onto ${session.baseBranch}` : `A merge of ${session.baseBranch} into this branch`} stopped on conflicts in:`,
      ...sync.conflicts.map((path) => `- ${path}`),
      '',
      'Please resolve them: edit each file so it keeps the intent of both sides and has no conflict markers (<<<<<<<, =======, >>>>>>>) left, then run `git add` on it.',
      `Do not run \`git ${sync.strategy} --continue\`, \`--abort\` or \`git commit\`: I continue the ${sync.strategy} from ChatML once you are done.`,
    ].join('\n');
    return this.deps.sessions.controller(sessionId).sendMessage(text);
  }

  async merge(sessionId: string, body: MergeBody): Promise<MergeResponse> {
    const shouldArchive = body.archive ?? this.deps.archiveAfterMerge();
    // When archiving follows, turns stay held past the merge: a message sent meanwhile must not
    // start in between, only to be cut short; the archive drops it instead, saying so.
    let releaseUntilArchived = () => {};
    try {
      const result = await this.mutate(sessionId, 'merge back', async ({ session, workspace }) => {
        if (shouldArchive) releaseUntilArchived = this.deps.sessions.controller(sessionId).holdTurns();
        // The base can be another session's branch: merging updates that session's worktree, which
        // must not change under its agent's feet — nor may its agent start while it does.
        const releaseBase = holdSessionOnBranch(
          this.deps.sessions,
          workspace.id,
          session.baseBranch,
          sessionId,
        );
        try {
          return await mergeSessionBranch({
            session,
            workspace,
            body,
            record: (payload) => this.record(sessionId, payload),
            gitStates: this.deps.gitStates,
          });
        } finally {
          releaseBase();
        }
      });
      let branchDeleted = false;
      if (shouldArchive) {
        await this.deps.sessions.archive(sessionId);
        branchDeleted = await this.deleteMergedBranch(sessionId, result.mergedTip);
      }
      return {
        sha: result.sha,
        strategy: body.strategy,
        baseBranch: this.deps.sessions.get(sessionId).baseBranch,
        updatedCheckout: result.updatedCheckout,
        archived: shouldArchive,
        branchDeleted,
      };
    } finally {
      releaseUntilArchived();
    }
  }

  /**
   * Brings back an archived session, or one whose worktree folder was deleted: re-creates a
   * deleted branch from where ChatML last saw it (or where merge-back kept it), then the worktree
   * with the archived uncommitted work.
   */
  async restore(sessionId: string): Promise<RestoreResponse> {
    const { session, workspace } = this.target(sessionId);
    const isPresent = session.status !== 'archived' && hasWorktree(session.worktreePath);
    if (isPresent && (await hasHead(session.worktreePath))) {
      throw new ConflictError('This session has its worktree and its branch; there is nothing to restore.');
    }
    await this.deps.repoLock.run(workspace.path, () =>
      recreateBranch(session, workspace, this.deps.gitStates.get(session.id).lastKnownHead),
    );
    if (isPresent) return this.branchRestored(sessionId);
    const restored = await this.deps.sessions.restore(sessionId);
    this.deps.gitStates.update(sessionId, {
      sync: null,
      worktreeMissing: false,
      branchMissing: false,
      lastKnownHead: restored.headSha,
    });
    this.record(sessionId, {
      kind: 'restore',
      ok: true,
      sha: restored.headSha,
      message: describeRestore(session.branch, restored.restoredWork),
    });
    return { ...this.deps.sessions.get(sessionId), restoredWork: restored.restoredWork };
  }

  /** The branch was deleted under a live worktree and is back: the worktree works again as it was. */
  private async branchRestored(sessionId: string): Promise<RestoreResponse> {
    const { worktreePath, branch } = this.deps.sessions.get(sessionId);
    const { stdout } = await runGit(['rev-parse', 'HEAD'], { cwd: worktreePath });
    this.deps.gitStates.update(sessionId, { branchMissing: false, lastKnownHead: stdout.trim() });
    const message = `Re-created the branch ${branch}; the worktree and its uncommitted work were left as they were.`;
    this.record(sessionId, { kind: 'restore', ok: true, sha: stdout.trim(), message });
    this.announce(sessionId);
    return { ...this.deps.sessions.get(sessionId), restoredWork: 'none' };
  }

  /** At start-up, before requests: see `recoverGitStates`. */
  recoverOnStart(): Promise<void> {
    return recoverGitStates(this.deps);
  }

  // ---- helpers -----------------------------------------------------------------------------------
  private target(sessionId: string): Target {
    const session = this.deps.sessions.get(sessionId);
    const workspace = this.deps.workspaces.get(session.workspaceId);
    if (!workspace) throw new NotFoundError('Workspace', session.workspaceId);
    return { session, workspace };
  }

  /** A session with its worktree in place, for operations that need one (so never an archived one). */
  private activeTarget(sessionId: string, what: string): Target {
    const target = this.target(sessionId);
    if (target.session.status === 'archived') {
      throw new ConflictError(`This session is archived; its worktree is gone. Restore it to ${what}.`);
    }
    const problem = worktreeProblem(target.session.worktreePath);
    if (problem) {
      this.deps.sessions.noteWorktreeMissing(sessionId);
      throw new ConflictError(`${problem.slice(0, -1)} — restore the session to ${what}.`);
    }
    return target;
  }

  /**
   * Runs a git operation that writes: refuses while a turn runs (the agent edits the same files, so
   * a commit or rebase would capture or clobber half-made changes), keeps new turns from starting
   * until it ends (messages sent meanwhile wait in the queue), and serialises it with every other
   * git writer of the repository.
   */
  private async mutate<T>(sessionId: string, what: string, work: (target: Target) => Promise<T>): Promise<T> {
    const target = this.activeTarget(sessionId, what);
    const controller = this.deps.sessions.controller(sessionId);
    if (controller.isBusy) {
      throw new SessionBusyError(
        `The agent is working in this session — wait for its turn to end (or interrupt it), then ${what}.`,
      );
    }
    const release = controller.holdTurns();
    try {
      return await this.deps.repoLock.run(target.workspace.path, () => work(target));
    } finally {
      release();
      this.announce(sessionId);
    }
  }

  private afterSync(
    sessionId: string,
    kind: 'sync' | 'sync_continue',
    result: SyncResponse,
    baseBranch: string,
  ): void {
    this.deps.gitStates.update(sessionId, {
      sync: result.ok ? null : { strategy: result.strategy, conflicts: result.conflicts },
      lastKnownHead: result.head,
    });
    this.record(sessionId, {
      kind,
      ok: result.ok,
      sha: result.head,
      strategy: result.strategy,
      conflicts: result.ok ? undefined : result.conflicts,
      message: describeSync(result, baseBranch),
    });
  }

  /** Deletes the merged session branch, keeping its tip on refs/chatml/merged/<id> for restore. */
  private async deleteMergedBranch(sessionId: string, tip: string): Promise<boolean> {
    const { session, workspace } = this.target(sessionId);
    return this.deps.repoLock.run(workspace.path, async () => {
      const refusal = await retireMergedBranch(workspace.path, sessionId, session.branch, tip);
      if (refusal !== null) {
        this.deps.logger.warn(`keeping ${session.branch}: ${refusal}`);
        return false;
      }
      this.deps.gitStates.update(sessionId, { branchMissing: true, lastKnownHead: tip });
      this.announce(sessionId);
      return true;
    });
  }

  private record(sessionId: string, payload: SessionEventPayload<'git_operation'>): void {
    this.deps.hub.publish(sessionId, { type: 'git_operation', payload });
  }

  private announce(sessionId: string): void {
    this.deps.hub.broadcast({ type: 'session_updated', session: this.deps.sessions.get(sessionId) });
  }
}
