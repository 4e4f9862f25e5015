import type { ServerFrame, Session, Workspace } from '@chatml/protocol';

/**
 * Workspaces and sessions for the list views: loaded over REST, then kept current by the
 * `workspace_updated` / `session_updated` / `…_deleted` frames every client receives.
 */
export interface Catalog {
  workspaces: readonly Workspace[];
  isLoaded: boolean;
  sessions: ReadonlyMap<string, Session>;
  /** Workspaces whose session list has been fetched at least once. */
  loadedWorkspaceIds: ReadonlySet<string>;
}

export const emptyCatalog: Catalog = {
  workspaces: [],
  isLoaded: false,
  sessions: new Map(),
  loadedWorkspaceIds: new Set(),
};

export function withWorkspaces(catalog: Catalog, workspaces: readonly Workspace[]): Catalog {
  return { ...catalog, workspaces: sortWorkspaces(workspaces), isLoaded: true };
}

export function withWorkspace(catalog: Catalog, workspace: Workspace): Catalog {
  const others = catalog.workspaces.filter((existing) => existing.id !== workspace.id);
  return { ...catalog, workspaces: sortWorkspaces([...others, workspace]) };
}

/**
 * A fetched list replaces the workspace's sessions, except where a frame already brought a newer
 * version (the fetch and the frame race; `updatedAt` decides).
 */
export function withSessionList(catalog: Catalog, workspaceId: string, list: readonly Session[]): Catalog {
  const sessions = new Map(catalog.sessions);
  for (const [id, session] of sessions) if (session.workspaceId === workspaceId) sessions.delete(id);
  for (const session of list) {
    const known = catalog.sessions.get(session.id);
    sessions.set(session.id, known && known.updatedAt > session.updatedAt ? known : session);
  }
  const loadedWorkspaceIds = new Set(catalog.loadedWorkspaceIds).add(workspaceId);
  return { ...catalog, sessions, loadedWorkspaceIds };
}

export function withSession(catalog: Catalog, session: Session): Catalog {
  const known = catalog.sessions.get(session.id);
  if (known && known.updatedAt > session.updatedAt) return catalog;
  return { ...catalog, sessions: new Map(catalog.sessions).set(session.id, session) };
}

export function applyCatalogFrame(catalog: Catalog, frame: ServerFrame): Catalog {
  switch (frame.type) {
    case 'workspace_updated':
      return withWorkspace(catalog, frame.workspace);
    case 'workspace_deleted': {
      const workspaces = catalog.workspaces.filter((workspace) => workspace.id !== frame.workspaceId);
      const sessions = new Map(catalog.sessions);
      for (const [id, session] of sessions)
        if (session.workspaceId === frame.workspaceId) sessions.delete(id);
      return { ...catalog, workspaces, sessions };
    }
    case 'session_updated':
      return withSession(catalog, frame.session);
    case 'session_deleted': {
      if (!catalog.sessions.has(frame.sessionId)) return catalog;
      const sessions = new Map(catalog.sessions);
      sessions.delete(frame.sessionId);
      return { ...catalog, sessions };
    }
    default:
      return catalog;
  }
}

/** A workspace's sessions for the list: live ones newest first, archived ones after them. */
export function sessionsOf(catalog: Catalog, workspaceId: string): Session[] {
  const sessions = [...catalog.sessions.values()].filter((session) => session.workspaceId === workspaceId);
  return sessions.sort((a, b) => {
    const archivedOrder = Number(a.status === 'archived') - Number(b.status === 'archived');
    return archivedOrder !== 0 ? archivedOrder : b.createdAt - a.createdAt;
  });
}

function sortWorkspaces(workspaces: readonly Workspace[]): Workspace[] {
  return [...workspaces].sort((a, b) => a.name.localeCompare(b.name) || a.createdAt - b.createdAt);
}
