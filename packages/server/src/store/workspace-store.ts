import type { Workspace, WorkspaceStatus } from '@chatml/protocol';
import type { Database } from './database.js';
import { prepared } from './prepared.js';

interface WorkspaceRow {
  id: string;
  name: string;
  path: string;
  base_branch: string;
  remote_url: string | null;
  status: WorkspaceStatus;
  status_detail: string | null;
  created_at: number;
}

function toWorkspace(row: WorkspaceRow): Workspace {
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    baseBranch: row.base_branch,
    remoteUrl: row.remote_url,
    status: row.status,
    statusDetail: row.status_detail,
    createdAt: row.created_at,
  };
}

export class WorkspaceStore {
  constructor(private readonly db: Database) {}

  insert(workspace: Workspace): void {
    prepared(
      this.db,
      `INSERT INTO workspaces (id, name, path, base_branch, remote_url, status, status_detail, created_at)
         VALUES (@id, @name, @path, @baseBranch, @remoteUrl, @status, @statusDetail, @createdAt)`,
    ).run(workspace);
  }

  update(
    id: string,
    fields: Partial<Pick<Workspace, 'status' | 'statusDetail' | 'baseBranch' | 'remoteUrl'>>,
  ): void {
    const current = this.get(id);
    if (!current) return;
    const next = { ...current, ...fields };
    prepared(
      this.db,
      'UPDATE workspaces SET status = ?, status_detail = ?, base_branch = ?, remote_url = ? WHERE id = ?',
    ).run(next.status, next.statusDetail, next.baseBranch, next.remoteUrl, id);
  }

  get(id: string): Workspace | undefined {
    const row = prepared(this.db, 'SELECT * FROM workspaces WHERE id = ?').get(id) as
      | WorkspaceRow
      | undefined;
    return row && toWorkspace(row);
  }

  findByPath(path: string): Workspace | undefined {
    const row = prepared(this.db, 'SELECT * FROM workspaces WHERE path = ?').get(path) as
      | WorkspaceRow
      | undefined;
    return row && toWorkspace(row);
  }

  list(): Workspace[] {
    const rows = prepared(
      this.db,
      'SELECT * FROM workspaces ORDER BY created_at, id',
    ).all() as WorkspaceRow[];
    return rows.map(toWorkspace);
  }

  delete(id: string): void {
    prepared(this.db, 'DELETE FROM workspaces WHERE id = ?').run(id);
  }
}
