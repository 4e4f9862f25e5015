import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { CreateWorkspaceBody, Workspace } from '@chatml/protocol';
import type { AppPaths } from '../config/app-paths.js';
import { AppError, BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { checkLocalCloneSource, cloneRepo, validateCloneUrl } from '../git/clone.js';
import { inspectRepo } from '../git/repo-inspector.js';
import type { Hub } from '../hub/hub.js';
import type { Logger } from '../logger.js';
import { newId } from '../sessions/ids.js';
import type { SessionManager } from '../sessions/session-manager.js';
import type { WorkspaceStore } from '../store/workspace-store.js';

/**
 * Workspaces are the user's repositories. Adding one by path only records it; cloning runs in the
 * background with progress pushed to every client as `workspace_updated` frames.
 */
export class WorkspaceService {
  private readonly clones = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private isDisposed = false;

  constructor(
    private readonly deps: {
      workspaces: WorkspaceStore;
      sessions: SessionManager;
      hub: Hub;
      paths: AppPaths;
      logger: Logger;
    },
  ) {}

  /**
   * At start-up, before the server listens: a clone the last run did not see to its end (it stopped,
   * or was killed, meanwhile) is not going to finish — left `cloning`, the workspace would wait
   * forever. It is an error the user can act on; a partial clone in ChatML's own repos folder goes.
   */
  async recoverInterruptedClones(): Promise<void> {
    for (const workspace of this.deps.workspaces.list()) {
      if (workspace.status !== 'cloning') continue;
      const inRepos = relative(this.deps.paths.repos, workspace.path);
      const isOurs =
        inRepos !== '' && !inRepos.startsWith(`..${sep}`) && inRepos !== '..' && !isAbsolute(inRepos);
      if (isOurs) await rm(workspace.path, { recursive: true, force: true });
      this.update(workspace.id, {
        status: 'error',
        statusDetail: isOurs
          ? 'The clone did not finish: ChatML stopped while it ran. Remove this workspace and clone again.'
          : `The clone did not finish: ChatML stopped while it ran. Remove this workspace, delete the partial clone in ${workspace.path}, and clone again.`,
      });
    }
  }

  async add(body: CreateWorkspaceBody): Promise<Workspace> {
    if ('cloneUrl' in body) return this.startClone(body.cloneUrl, body.name, body.path);
    const info = await inspectRepo(userPath(body.path));
    const existing = this.deps.workspaces.findByPath(info.root);
    if (existing) throw new ConflictError(`${info.root} is already a workspace (${existing.name}).`);
    const workspace: Workspace = {
      id: newId('ws'),
      name: basename(info.root),
      path: info.root,
      baseBranch: info.defaultBranch,
      remoteUrl: info.remoteUrl,
      status: 'ready',
      statusDetail: null,
      createdAt: Date.now(),
    };
    this.deps.workspaces.insert(workspace);
    this.deps.hub.broadcast({ type: 'workspace_updated', workspace });
    return workspace;
  }

  list(): Workspace[] {
    return this.deps.workspaces.list().map(withFolderState);
  }

  get(id: string): Workspace {
    const workspace = this.deps.workspaces.get(id);
    if (!workspace) throw new NotFoundError('Workspace', id);
    return withFolderState(workspace);
  }

  /**
   * Forget a workspace. Active sessions are archived first, which saves their uncommitted work to
   * archive refs in the repository; the user's checkout and its .git are never deleted.
   */
  async delete(id: string): Promise<void> {
    const workspace = this.get(id);
    this.clones.get(id)?.abort.abort();
    // A session created meanwhile would outlive its workspace (its row goes with it) with a worktree
    // and branch nobody lists: creates are refused from here, and those under way finish first.
    const reopen = await this.deps.sessions.closeWorkspace(id, workspace.path);
    try {
      await this.archiveSessionsAndForget(id);
    } finally {
      reopen();
    }
  }

  private async archiveSessionsAndForget(id: string): Promise<void> {
    const archived: string[] = [];
    for (const session of this.deps.sessions.list(id)) {
      if (session.status === 'archived') continue;
      try {
        await this.deps.sessions.archive(session.id);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // Said in full: the workspace stays, and the sessions archived before this one stay archived.
        const before =
          archived.length === 0
            ? ''
            : ` ${archived.length === 1 ? 'Session' : 'Sessions'} ${archived.join(', ')} ${archived.length === 1 ? 'was' : 'were'} archived before that and stay archived (restore them from the session list).`;
        throw new AppError(
          error.code,
          `The workspace was kept: session ${session.name} could not be archived — ${error.message}${before}`,
          error.status,
          { cause: error, ...(error.conflicts ? { conflicts: error.conflicts } : {}) },
        );
      }
      archived.push(session.name);
    }
    this.deps.workspaces.delete(id);
    this.deps.hub.broadcast({ type: 'workspace_deleted', workspaceId: id });
  }

  /** Stops every clone and waits for it to end (the next start marks it as not finished). */
  async dispose(): Promise<void> {
    this.isDisposed = true;
    const clones = [...this.clones.values()];
    for (const clone of clones) clone.abort.abort();
    await Promise.all(clones.map((clone) => clone.done));
  }

  private async startClone(
    cloneUrl: string,
    name: string | undefined,
    path: string | undefined,
  ): Promise<Workspace> {
    // Refuse hostile URLs (ext::, option-like) before anything is recorded or run.
    validateCloneUrl(cloneUrl);
    await checkLocalCloneSource(cloneUrl);
    const fromUrl = basename(cloneUrl.replace(/[/\\]+$/, '')).replace(/\.git$/, '');
    const derivedName =
      name ?? (fromUrl === '' || fromUrl === '.' || fromUrl === '..' ? 'repository' : fromUrl);
    const dest = path === undefined ? join(this.deps.paths.repos, derivedName) : userPath(path);
    if (existsSync(dest)) throw new ConflictError(`${dest} already exists — choose another name or path.`);
    const earlier = this.deps.workspaces.findByPath(dest);
    // A clone that failed left its record (to show why) but nothing on disk: trying again replaces it.
    if (earlier?.status === 'error' && earlier.remoteUrl !== null) {
      this.deps.workspaces.delete(earlier.id);
      this.deps.hub.broadcast({ type: 'workspace_deleted', workspaceId: earlier.id });
    } else if (earlier) throw new ConflictError(`${dest} is already a workspace.`);
    const workspace: Workspace = {
      id: newId('ws'),
      name: derivedName,
      path: dest,
      baseBranch: 'main',
      remoteUrl: cloneUrl,
      status: 'cloning',
      statusDetail: 'Starting clone…',
      createdAt: Date.now(),
    };
    const abort = new AbortController();
    const clone = cloneRepo({
      url: cloneUrl,
      dest,
      signal: abort.signal,
      onProgress: (phase, percent) =>
        this.update(workspace.id, { statusDetail: percent === null ? phase : `${phase} ${percent}%` }),
    });
    this.deps.workspaces.insert(workspace);
    this.deps.hub.broadcast({ type: 'workspace_updated', workspace });
    const done = clone
      .then(async () => {
        const info = await inspectRepo(dest);
        this.update(workspace.id, {
          status: 'ready',
          statusDetail: null,
          baseBranch: info.defaultBranch,
          remoteUrl: info.remoteUrl,
        });
      })
      .catch((error: Error) => {
        // Stopped by shutdown: the database may be closing; the next start marks the clone.
        if (this.isDisposed) return;
        this.deps.logger.warn(`clone of workspace ${workspace.id} failed: ${error.message}`);
        this.update(workspace.id, { status: 'error', statusDetail: error.message });
      })
      .finally(() => this.clones.delete(workspace.id));
    this.clones.set(workspace.id, { abort, done });
    return workspace;
  }

  private update(id: string, fields: Parameters<WorkspaceStore['update']>[1]): void {
    if (!this.deps.workspaces.get(id)) return;
    this.deps.workspaces.update(id, fields);
    const workspace = this.deps.workspaces.get(id);
    if (workspace)
      this.deps.hub.broadcast({ type: 'workspace_updated', workspace: withFolderState(workspace) });
  }
}

/**
 * A folder the user typed, as an absolute path: `~` is their home folder; a relative path is
 * refused, because it would be taken from wherever the backend happened to be started.
 */
export function userPath(typed: string): string {
  const path = typed.trim();
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  if (!isAbsolute(path)) {
    throw new BadRequestError(
      `${JSON.stringify(typed)} is not a full path: give the folder's whole path, like /home/you/project or ~/project.`,
    );
  }
  return resolve(path);
}

/** A ready workspace whose folder is gone says so (a clone in progress has no folder yet). */
function withFolderState(workspace: Workspace): Workspace {
  return workspace.status === 'ready' && !existsSync(workspace.path)
    ? { ...workspace, folderMissing: true }
    : workspace;
}
