import type { Session, Workspace } from '@chatml/protocol';
import { describe, expect, it } from 'vitest';
import { applyCatalogFrame, emptyCatalog, sessionsOf, withSessionList, withWorkspaces } from './catalog';

function session(id: string, overrides: Partial<Session> = {}): Session {
  return {
    id,
    workspaceId: 'ws_1',
    name: id,
    branch: `chatml/${id}`,
    baseBranch: 'main',
    worktreePath: `/tmp/${id}`,
    status: 'idle',
    statusReason: null,
    model: null,
    permissionMode: 'default',
    lastSeq: 0,
    queuedMessages: 0,
    diffStats: null,
    createdAt: 1,
    updatedAt: 1,
    ...overrides,
  };
}

const workspace: Workspace = {
  id: 'ws_1',
  name: 'app',
  path: '/src/app',
  baseBranch: 'main',
  remoteUrl: null,
  status: 'ready',
  statusDetail: null,
  createdAt: 1,
};

describe('catalog', () => {
  it('keeps a newer session from a frame over an older fetched list', () => {
    let catalog = applyCatalogFrame(emptyCatalog, {
      type: 'session_updated',
      session: session('a', { status: 'running', updatedAt: 5 }),
    });
    catalog = withSessionList(catalog, 'ws_1', [session('a', { updatedAt: 3 }), session('b')]);
    expect(catalog.sessions.get('a')?.status).toBe('running');
    expect(catalog.sessions.has('b')).toBe(true);
    expect(catalog.loadedWorkspaceIds.has('ws_1')).toBe(true);
  });

  it('follows workspace updates (clone progress) and deletions', () => {
    let catalog = withWorkspaces(emptyCatalog, [{ ...workspace, status: 'cloning', statusDetail: null }]);
    catalog = applyCatalogFrame(catalog, {
      type: 'workspace_updated',
      workspace: { ...workspace, status: 'cloning', statusDetail: 'Receiving objects 45%' },
    });
    expect(catalog.workspaces).toHaveLength(1);
    expect(catalog.workspaces[0]?.statusDetail).toBe('Receiving objects 45%');
    catalog = withSessionList(catalog, 'ws_1', [session('a')]);
    catalog = applyCatalogFrame(catalog, { type: 'workspace_deleted', workspaceId: 'ws_1' });
    expect(catalog.workspaces).toEqual([]);
    expect(catalog.sessions.size).toBe(0);
  });

  it('lists live sessions newest first and archived ones last', () => {
    const catalog = withSessionList(emptyCatalog, 'ws_1', [
      session('old', { createdAt: 1 }),
      session('gone', { createdAt: 9, status: 'archived' }),
      session('new', { createdAt: 5 }),
    ]);
    expect(sessionsOf(catalog, 'ws_1').map((entry) => entry.id)).toEqual(['new', 'old', 'gone']);
  });
});
