import { existsSync } from 'node:fs';
import type { CreateSessionBody, Session } from '@chatml/protocol';
import type { AppPaths } from '../config/app-paths.js';
import { ConflictError, NotFoundError, SessionArchivedError } from '../errors.js';
import { generateUniqueName } from '../git/name-generator.js';
import { sessionBranch, validateBranchName } from '../git/ref-names.js';
import type { ArchiveOutcome } from '../git/work-archive.js';
import type { WorktreeManager } from '../git/worktree-manager.js';
import { hasWorktree } from '../git/worktree-presence.js';
import type { Hub } from '../hub/hub.js';
import type { Logger } from '../logger.js';
import type { EventStore } from '../store/event-store.js';
import { type GitStateStore, toApiGitState } from '../store/git-state-store.js';
import type { SessionRecord, SessionStore } from '../store/session-store.js';
import type { WorkspaceStore } from '../store/workspace-store.js';
import type { KeyedLock } from '../util/keyed-lock.js';
import { DiffStatsTracker } from './diff-stats-tracker.js';
import { newId } from './ids.js';
import { SessionController } from './session-controller.js';
import { recoverSession } from './session-recovery.js';
import { spawnSessionRunner } from './spawn-session-runner.js';
import type { TurnScheduler } from './turn-scheduler.js';
import { archiveNote, repositoryGoneNote, restoreNote } from './worktree-notes.js';

export interface SessionManagerDeps {
  paths: AppPaths;
  hub: Hub;
  sessions: SessionStore;
  events: EventStore;
  workspaces: WorkspaceStore;
  worktrees: WorktreeManager;
  scheduler: TurnScheduler;
  repoLock: KeyedLock;
  /** Git state shown on each Session (sync conflicts, missing worktree/branch); see session-git.ts. */
  gitStates?: GitStateStore;
  logger: Logger;
  runnerMainPath: string;
  runnerEnv(sessionId: string): NodeJS.ProcessEnv;
  idleRunnerTimeoutMs: number;
  runnerNiceness: number;
  interruptGraceMs: number;
  runnerStartTimeoutMs: number;
  /** The model of a session created without one; asked at each creation (the setting can change). */
  defaultModel(): string | undefined;
  /** The runners talk to the offline demo model (`--demo-model`): turns are recorded without a price. */
  isDemoModel?: boolean;
}

/**
 * Creates sessions (branch + worktree), owns their controllers, and brings them back after a restart.
 * Every session's runner is owned by its controller; `dispose` stops them all.
 */
export class SessionManager {
  private readonly controllers = new Map<string, SessionController>();
  /** Workspaces being removed: no session may be created in them. */
  private readonly closingWorkspaces = new Set<string>();
  private worktreeWatch: NodeJS.Timeout | null = null;
  /** Shutting down: a failed archive or restore must not reopen its session. */
  private isDisposed = false;
  /** One archive at a time per session: a double-click must not race git or overwrite the archive ref. */
  private readonly archiving = new Map<string, Promise<Session>>();

  /** +/- line counts for the session list, measured after turns, never on the streaming path. */
  private readonly diffStats: DiffStatsTracker;

  constructor(private readonly deps: SessionManagerDeps) {
    this.diffStats = new DiffStatsTracker({
      logger: deps.logger,
      onMeasured: (sessionId) => {
        const record = this.controllers.get(sessionId)?.session ?? deps.sessions.get(sessionId);
        if (record) deps.hub.broadcast({ type: 'session_updated', session: this.toApi(record) });
      },
    });
  }

  /**
   * Called once at start-up, before the server accepts requests: closes what a crash left open and
   * re-queues accepted messages. Nothing runs until `startQueuedWork`, once the server is listening
   * (a backend that cannot bind must not have launched agents).
   */
  recoverAll(): void {
    for (const record of this.deps.sessions.listAll()) {
      if (record.status === 'archived') continue;
      const { record: recovered, unstarted } = recoverSession(record, this.deps);
      this.addController(recovered).requeue(unstarted);
    }
  }

  /**
   * Looks at every live session's worktree every `intervalMs` (a stat each): one deleted by hand
   * turns its session to `error` in the session list within that time. Stopped by `dispose`.
   */
  watchWorktrees(intervalMs: number): void {
    this.worktreeWatch = setInterval(() => {
      for (const controller of this.controllers.values()) controller.noticeMissingWorktree();
    }, intervalMs);
    this.worktreeWatch.unref();
  }

  startQueuedWork(): void {
    for (const controller of this.controllers.values()) controller.activate();
  }

  /**
   * Refuse new sessions in a workspace until the returned function is called; resolves once every
   * create already under way has finished (they run under the repository's lock), so the sessions
   * listed after it are all there will be. For removing the workspace.
   */
  async closeWorkspace(workspaceId: string, repoPath: string): Promise<() => void> {
    this.closingWorkspaces.add(workspaceId);
    await this.deps.repoLock.run(repoPath, async () => {});
    return () => this.closingWorkspaces.delete(workspaceId);
  }

  private refuseIfClosing(workspaceId: string, name: string): void {
    if (this.closingWorkspaces.has(workspaceId))
      throw new ConflictError(`Workspace ${name} is being removed: no new sessions in it.`);
  }

  async create(workspaceId: string, body: CreateSessionBody): Promise<Session> {
    const { workspaces, sessions, worktrees, repoLock, paths, hub } = this.deps;
    const workspace = workspaces.get(workspaceId);
    if (!workspace) throw new NotFoundError('Workspace', workspaceId);
    this.refuseIfClosing(workspaceId, workspace.name);
    if (workspace.status !== 'ready')
      throw new ConflictError(`Workspace ${workspace.name} is not ready (${workspace.status}).`);
    if (!existsSync(workspace.path))
      throw new ConflictError(
        `The repository folder ${workspace.path} is missing (moved or deleted?): put it back, or remove ${workspace.name} from ChatML.`,
      );

    return repoLock.run(workspace.path, async () => {
      this.refuseIfClosing(workspaceId, workspace.name); // (asked for while this create waited)
      const name =
        body.name ?? generateUniqueName((candidate) => sessions.isNameTaken(workspaceId, candidate));
      if (sessions.isNameTaken(workspaceId, name))
        throw new ConflictError(`A session named ${name} already exists in this workspace.`);
      const branch = sessionBranch(name);
      await validateBranchName(branch);
      // A full ref name is taken as the branch it names: merge back and sync work on branch names.
      const baseBranch = (body.baseBranch ?? workspace.baseBranch).replace(/^refs\/heads\//, '');
      await validateBranchName(baseBranch);
      const now = Date.now();
      const record: SessionRecord = {
        id: newId('ses'),
        workspaceId,
        name,
        branch,
        baseBranch,
        worktreePath: paths.worktree(workspaceId, name),
        status: 'creating',
        statusReason: null,
        model: body.model ?? this.deps.defaultModel() ?? null,
        permissionMode: body.permissionMode ?? 'default',
        sdkSessionId: null,
        archivedRef: null,
        createdAt: now,
        updatedAt: now,
      };
      // The worktree comes first: if git refuses (unknown base branch, existing branch), nothing is recorded.
      await worktrees.create({
        repoPath: workspace.path,
        worktreePath: record.worktreePath,
        branch,
        baseBranch,
      });
      sessions.insert(record);
      const controller = this.addController(record);
      hub.publish(record.id, {
        type: 'session_created',
        payload: {
          name,
          branch,
          baseBranch,
          worktreePath: record.worktreePath,
          permissionMode: record.permissionMode,
          model: record.model ?? undefined,
        },
      });
      if (body.prompt?.trim()) controller.sendMessage(body.prompt);
      controller.activate();
      return this.toApi(controller.session);
    });
  }

  get(sessionId: string): Session {
    return this.toApi(this.record(sessionId));
  }

  exists(sessionId: string): boolean {
    return this.deps.sessions.get(sessionId) !== undefined;
  }

  list(workspaceId: string): Session[] {
    const records = this.deps.sessions.listByWorkspace(workspaceId);
    // Sessions not measured yet (e.g. after a restart) get their counts soon, by session_updated.
    for (const record of records)
      if (record.status !== 'archived') this.diffStats.ensure(this.target(record));
    return records.map((record) => this.toApi(record));
  }

  /** Measure an active session's change counts again soon (a diff of it is being read). */
  refreshDiffStats(sessionId: string): void {
    // Also a session whose agent never ran or was restored: no live controller, only its record.
    const record = this.controllers.get(sessionId)?.session ?? this.deps.sessions.get(sessionId);
    if (record && record.status !== 'archived') this.diffStats.refresh(this.target(record));
  }

  /** The live controller of an active session; archived sessions have none. */
  controller(sessionId: string): SessionController {
    const controller = this.controllers.get(sessionId);
    if (controller) return controller;
    const record = this.record(sessionId);
    if (record.status === 'archived') throw new SessionArchivedError(sessionId);
    throw new NotFoundError('Session', sessionId);
  }

  /** Remove the worktree (uncommitted work saved to an archive ref first), keep branch and transcript. */
  archive(sessionId: string): Promise<Session> {
    const inFlight = this.archiving.get(sessionId);
    if (inFlight) return inFlight;
    const archived = this.archiveOnce(sessionId).finally(() => this.archiving.delete(sessionId));
    this.archiving.set(sessionId, archived);
    return archived;
  }

  private async archiveOnce(sessionId: string): Promise<Session> {
    const record = this.record(sessionId);
    if (record.status === 'archived') return this.toApi(record);
    const controller = this.controller(sessionId);
    const workspace = this.deps.workspaces.get(record.workspaceId);
    if (!workspace) throw new NotFoundError('Workspace', record.workspaceId);
    // From here no message may start a runner in the worktree we are about to remove.
    await controller.close('it is being archived.', 'The session was archived.');
    if (!existsSync(workspace.path)) {
      // The repository was moved or deleted: git can neither save the work nor remove the worktree,
      // and deleting the folder by hand could lose uncommitted work. It stays on disk as it is.
      this.diffStats.forget(sessionId);
      controller.markArchived(null, repositoryGoneNote(workspace.path, record.worktreePath));
      this.controllers.delete(sessionId);
      return this.toApi(controller.session);
    }
    try {
      const saved = await this.deps.repoLock.run(workspace.path, async () => {
        try {
          return await this.deps.worktrees.remove({
            repoPath: workspace.path,
            worktreePath: record.worktreePath,
            sessionId,
          });
        } catch (error) {
          // A retry after an archive that removed the worktree but did not get to record it.
          if (error instanceof NotFoundError) return null;
          throw error;
        }
      });
      this.diffStats.forget(sessionId);
      controller.markArchived(saved?.archivedRef ?? null, archiveNote(record.worktreePath, saved));
    } catch (error) {
      // Not after a shutdown began: reopening would let a turn start that nothing then stops.
      if (!this.isDisposed) controller.reopen();
      throw error;
    }
    this.controllers.delete(sessionId);
    return this.toApi(controller.session);
  }

  /**
   * Re-create the worktree of an archived session — or of one whose folder was deleted — from its
   * branch, bring back the archived uncommitted work, and make the session usable again (`idle`).
   * The branch must exist (session-git.ts re-creates a deleted one first).
   */
  async restore(
    sessionId: string,
  ): Promise<{ session: Session; restoredWork: ArchiveOutcome; headSha: string }> {
    const record = this.record(sessionId);
    const workspace = this.deps.workspaces.get(record.workspaceId);
    if (!workspace) throw new NotFoundError('Workspace', record.workspaceId);
    const stale = this.controllers.get(sessionId);
    if (stale) {
      if (hasWorktree(record.worktreePath))
        throw new ConflictError('This session has its worktree; there is nothing to restore.');
      await stale.close('it is being restored.', 'The session is being restored.');
    }
    let restored: { headSha: string; archive: ArchiveOutcome; movedAside?: string };
    try {
      restored = await this.deps.repoLock.run(workspace.path, async () => {
        // A folder deleted by hand leaves a worktree entry that holds the branch: drop it first.
        await this.deps.worktrees.prune(workspace.path);
        return this.deps.worktrees.restore({
          repoPath: workspace.path,
          worktreePath: record.worktreePath,
          branch: record.branch,
          sessionId,
        });
      });
    } catch (error) {
      if (!this.isDisposed) stale?.reopen();
      throw error;
    }
    this.controllers.delete(sessionId);
    // Messages sent before the worktree went missing were never run nor dropped: they run now.
    const carried = stale?.takeQueued() ?? [];
    const reason = restoreNote(restored);
    const updated = this.deps.sessions.update(sessionId, { status: 'idle', statusReason: reason });
    this.deps.hub.publish(sessionId, {
      type: 'status_changed',
      payload: { status: 'idle', reason: reason ?? undefined },
    });
    const controller = this.addController(updated);
    controller.requeue(carried);
    controller.activate();
    return { session: this.toApi(updated), restoredWork: restored.archive, headSha: restored.headSha };
  }

  /** Stop every runner (backend shutdown). Statuses are left as they are; `recoverAll` sorts them out. */
  async dispose(): Promise<void> {
    this.isDisposed = true;
    if (this.worktreeWatch) clearInterval(this.worktreeWatch);
    const controllers = [...this.controllers.values()];
    // Every session first, so a slot one frees is not handed to another only to be cut short.
    for (const controller of controllers) controller.refuseNewWork('ChatML is shutting down.');
    await this.diffStats.dispose();
    await Promise.all(
      controllers.map((controller) =>
        controller.close('ChatML is shutting down.', 'ChatML is shutting down.'),
      ),
    );
    this.controllers.clear();
  }

  /** A session's worktree is gone: recorded and told to every client once (its Restore notice shows). */
  noteWorktreeMissing(sessionId: string): void {
    const gitStates = this.deps.gitStates;
    if (!gitStates || gitStates.get(sessionId).worktreeMissing) return;
    gitStates.update(sessionId, { worktreeMissing: true });
    const current = this.controllers.get(sessionId)?.session ?? this.deps.sessions.get(sessionId);
    if (current) this.deps.hub.broadcast({ type: 'session_updated', session: this.toApi(current) });
  }

  toApi(record: SessionRecord): Session {
    const controller = this.controllers.get(record.id);
    const live = controller?.session ?? record;
    return {
      id: live.id,
      workspaceId: live.workspaceId,
      name: live.name,
      branch: live.branch,
      baseBranch: live.baseBranch,
      worktreePath: live.worktreePath,
      status: live.status,
      statusReason: live.statusReason,
      model: live.model,
      permissionMode: live.permissionMode,
      lastSeq: this.deps.events.lastSeq(live.id),
      activitySeq: this.deps.events.activitySeq(live.id),
      queuedMessages: controller?.queuedMessages ?? 0,
      gitState: this.deps.gitStates && toApiGitState(this.deps.gitStates.get(live.id)),
      diffStats: this.diffStats.get(live.id),
      createdAt: live.createdAt,
      updatedAt: live.updatedAt,
    };
  }

  private target(record: SessionRecord) {
    return { sessionId: record.id, worktreePath: record.worktreePath, baseBranch: record.baseBranch };
  }

  private record(sessionId: string): SessionRecord {
    const record = this.controllers.get(sessionId)?.session ?? this.deps.sessions.get(sessionId);
    if (!record) throw new NotFoundError('Session', sessionId);
    return record;
  }

  private addController(record: SessionRecord): SessionController {
    const { deps } = this;
    const controller = new SessionController(record, {
      hub: deps.hub,
      sessions: deps.sessions,
      scheduler: deps.scheduler,
      logger: deps.logger,
      idleRunnerTimeoutMs: deps.idleRunnerTimeoutMs,
      interruptGraceMs: deps.interruptGraceMs,
      runnerStartTimeoutMs: deps.runnerStartTimeoutMs,
      isDemoModel: deps.isDemoModel,
      onChanged: (sessionId) => {
        const current = this.controllers.get(sessionId)?.session;
        if (current) deps.hub.broadcast({ type: 'session_updated', session: this.toApi(current) });
      },
      onWorktreeMissing: (sessionId) => this.noteWorktreeMissing(sessionId),
      onTurnEnded: (sessionId) => {
        const current = this.controllers.get(sessionId)?.session;
        if (current) this.diffStats.refresh(this.target(current));
      },
      spawnRunner: (session, handlers) => spawnSessionRunner(deps, session, handlers),
    });
    this.controllers.set(record.id, controller);
    return controller;
  }
}
