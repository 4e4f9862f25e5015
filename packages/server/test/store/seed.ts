import { type Database, SessionStore, WorkspaceStore } from '../../src/store/index.js';

/** One workspace `w` with idle sessions of the given ids: the rows the event log's keys point at. */
export function seedSessions(db: Database, ids: readonly string[]): SessionStore {
  new WorkspaceStore(db).insert({
    id: 'w',
    name: 'w',
    path: '/w',
    baseBranch: 'main',
    remoteUrl: null,
    status: 'ready',
    statusDetail: null,
    createdAt: 0,
  });
  const sessions = new SessionStore(db);
  for (const id of ids) {
    sessions.insert({
      id,
      workspaceId: 'w',
      name: id,
      branch: `chatml/${id}`,
      baseBranch: 'main',
      worktreePath: `/wt/${id}`,
      status: 'idle',
      statusReason: null,
      model: null,
      permissionMode: 'default',
      sdkSessionId: null,
      archivedRef: null,
      createdAt: 0,
      updatedAt: 0,
    });
  }
  return sessions;
}
