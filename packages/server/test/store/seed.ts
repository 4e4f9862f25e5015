import type { NewSessionEvent } from '@chatml/protocol';
import { type Database, SessionStore, WorkspaceStore } from '../../src/store/index.js';
import { prepared } from '../../src/store/prepared.js';

/** A stream delta carrying `text`: the event the log's tests append. */
export const note = (text: string): NewSessionEvent => ({
  type: 'stream_delta',
  payload: { turnId: 't', messageId: 'm', blockIndex: 0, kind: 'text', text },
});

/** The texts of `note` events, in order. */
export const texts = (events: { payload: unknown }[]) =>
  events.map((event) => (event.payload as { text: string }).text);

/** Rows in a table of the database (by default the event log's). */
export const count = (db: Database, table = 'events') =>
  (prepared(db, `SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

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
