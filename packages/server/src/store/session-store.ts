import type { PermissionMode, SessionStatus } from '@chatml/protocol';
import type { Database } from './database.js';
import { prepared } from './prepared.js';

/** A session as stored; the API's `Session` adds live fields (lastSeq, queuedMessages). */
export interface SessionRecord {
  id: string;
  workspaceId: string;
  name: string;
  branch: string;
  baseBranch: string;
  worktreePath: string;
  status: SessionStatus;
  statusReason: string | null;
  model: string | null;
  permissionMode: PermissionMode;
  sdkSessionId: string | null;
  archivedRef: string | null;
  createdAt: number;
  updatedAt: number;
}

interface SessionRow {
  id: string;
  workspace_id: string;
  name: string;
  branch: string;
  base_branch: string;
  worktree_path: string;
  status: SessionStatus;
  status_reason: string | null;
  model: string | null;
  permission_mode: PermissionMode;
  sdk_session_id: string | null;
  archived_ref: string | null;
  created_at: number;
  updated_at: number;
}

const columns: Record<keyof Omit<SessionRecord, 'id'>, string> = {
  workspaceId: 'workspace_id',
  name: 'name',
  branch: 'branch',
  baseBranch: 'base_branch',
  worktreePath: 'worktree_path',
  status: 'status',
  statusReason: 'status_reason',
  model: 'model',
  permissionMode: 'permission_mode',
  sdkSessionId: 'sdk_session_id',
  archivedRef: 'archived_ref',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    branch: row.branch,
    baseBranch: row.base_branch,
    worktreePath: row.worktree_path,
    status: row.status,
    statusReason: row.status_reason,
    model: row.model,
    permissionMode: row.permission_mode,
    sdkSessionId: row.sdk_session_id,
    archivedRef: row.archived_ref,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class SessionStore {
  constructor(private readonly db: Database) {}

  insert(session: SessionRecord): void {
    prepared(
      this.db,
      `INSERT INTO sessions (id, workspace_id, name, branch, base_branch, worktree_path, status, status_reason,
           model, permission_mode, sdk_session_id, archived_ref, created_at, updated_at)
         VALUES (@id, @workspaceId, @name, @branch, @baseBranch, @worktreePath, @status, @statusReason,
           @model, @permissionMode, @sdkSessionId, @archivedRef, @createdAt, @updatedAt)`,
    ).run(session);
  }

  /** Updates the given fields and bumps `updatedAt`; returns the new record. */
  update(
    id: string,
    fields: Partial<Omit<SessionRecord, 'id' | 'workspaceId' | 'createdAt'>>,
  ): SessionRecord {
    const entries = Object.entries({ ...fields, updatedAt: fields.updatedAt ?? Date.now() }) as [
      keyof typeof columns,
      unknown,
    ][];
    const assignments = entries.map(([key]) => `${columns[key]} = ?`).join(', ');
    prepared(this.db, `UPDATE sessions SET ${assignments} WHERE id = ?`).run(
      ...entries.map(([, value]) => value),
      id,
    );
    const updated = this.get(id);
    if (!updated) throw new Error(`session ${id} vanished during update`);
    return updated;
  }

  get(id: string): SessionRecord | undefined {
    const row = prepared(this.db, 'SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow | undefined;
    return row && toRecord(row);
  }

  listByWorkspace(workspaceId: string): SessionRecord[] {
    const rows = prepared(
      this.db,
      'SELECT * FROM sessions WHERE workspace_id = ? ORDER BY created_at, id',
    ).all(workspaceId) as SessionRow[];
    return rows.map(toRecord);
  }

  listAll(): SessionRecord[] {
    return (prepared(this.db, 'SELECT * FROM sessions ORDER BY created_at, id').all() as SessionRow[]).map(
      toRecord,
    );
  }

  /**
   * Whether the workspace has a session of this name in any letter case: `Fix` and `fix` would
   * get branches and worktree folders that clash on case-insensitive file systems (macOS, Windows).
   */
  isNameTaken(workspaceId: string, name: string): boolean {
    return (
      prepared(this.db, 'SELECT 1 FROM sessions WHERE workspace_id = ? AND lower(name) = lower(?)').get(
        workspaceId,
        name,
      ) !== undefined
    );
  }
}
