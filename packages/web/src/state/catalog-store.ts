import type { Session, Workspace } from '@chatml/protocol';
import type { ApiClient } from '../api/rest-client';
import type { WsClient } from '../api/ws-client';
import {
  applyCatalogFrame,
  type Catalog,
  emptyCatalog,
  withSession,
  withSessionList,
  withWorkspace,
  withWorkspaces,
} from './catalog';

export interface CatalogSnapshot {
  catalog: Catalog;
  /** The last load failure (an `ApiError` tells a stale token apart); cleared by the next success. */
  loadError: Error | undefined;
}

/** The catalog as an external store for `useSyncExternalStore`, wired to REST and the socket. */
export class CatalogStore {
  private snapshot: CatalogSnapshot = { catalog: emptyCatalog, loadError: undefined };
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly api: Pick<ApiClient, 'listWorkspaces' | 'listSessions'>,
    ws: Pick<WsClient, 'onFrame'>,
  ) {
    ws.onFrame((frame) => this.setCatalog(applyCatalogFrame(this.snapshot.catalog, frame)));
  }

  getSnapshot = (): CatalogSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** (Re)load workspaces and the sessions of every workspace already shown; after reconnects too. */
  async refresh(): Promise<void> {
    try {
      const workspaces = await this.api.listWorkspaces();
      this.setCatalog(withWorkspaces(this.snapshot.catalog, workspaces));
      await Promise.all([...this.snapshot.catalog.loadedWorkspaceIds].map((id) => this.loadSessions(id)));
      this.setLoadError(undefined);
    } catch (error) {
      this.setLoadError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Load a workspace's sessions the first time it is shown; failures land in `loadError`. */
  async ensureSessions(workspaceId: string): Promise<void> {
    if (this.snapshot.catalog.loadedWorkspaceIds.has(workspaceId)) return;
    try {
      await this.loadSessions(workspaceId);
    } catch (error) {
      this.setLoadError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async loadSessions(workspaceId: string): Promise<void> {
    const sessions = await this.api.listSessions(workspaceId);
    this.setCatalog(withSessionList(this.snapshot.catalog, workspaceId, sessions));
  }

  /** A workspace or session the user just created: show it before its frame arrives. */
  addWorkspace(workspace: Workspace): void {
    this.setCatalog(withWorkspace(this.snapshot.catalog, workspace));
  }

  /** A workspace the user just removed: gone at once, as its `workspace_deleted` frame will say. */
  removeWorkspace(workspaceId: string): void {
    this.setCatalog(applyCatalogFrame(this.snapshot.catalog, { type: 'workspace_deleted', workspaceId }));
  }

  addSession(session: Session): void {
    this.setCatalog(withSession(this.snapshot.catalog, session));
  }

  private setCatalog(catalog: Catalog): void {
    if (catalog === this.snapshot.catalog) return;
    this.update({ ...this.snapshot, catalog });
  }

  private setLoadError(loadError: Error | undefined): void {
    if (loadError === this.snapshot.loadError) return;
    this.update({ ...this.snapshot, loadError });
  }

  private update(snapshot: CatalogSnapshot): void {
    this.snapshot = snapshot;
    for (const listener of this.listeners) listener();
  }
}
