import type { SessionGitState, SyncStrategy } from '@chatml/protocol';
import type { Database } from './database.js';
import { prepared } from './prepared.js';

/** A session's git state as stored; the API's `gitState` without `lastKnownHead`. */
export interface GitStateRecord extends SessionGitState {
  /** The session branch's tip when ChatML last looked; restore re-creates a deleted branch here. */
  lastKnownHead: string | null;
}

interface GitStateRow {
  sync_strategy: SyncStrategy | null;
  conflicts: string;
  worktree_missing: number;
  branch_missing: number;
  last_known_head: string | null;
}

const CLEAN: GitStateRecord = {
  sync: null,
  worktreeMissing: false,
  branchMissing: false,
  lastKnownHead: null,
};

/** The `session_git_state` table: one row per session that ever had something to report. */
export class GitStateStore {
  constructor(private readonly db: Database) {}

  get(sessionId: string): GitStateRecord {
    const row = prepared(
      this.db,
      'SELECT sync_strategy, conflicts, worktree_missing, branch_missing, last_known_head FROM session_git_state WHERE session_id = ?',
    ).get(sessionId) as GitStateRow | undefined;
    if (!row) return CLEAN;
    return {
      sync: row.sync_strategy ? { strategy: row.sync_strategy, conflicts: JSON.parse(row.conflicts) } : null,
      worktreeMissing: row.worktree_missing === 1,
      branchMissing: row.branch_missing === 1,
      lastKnownHead: row.last_known_head,
    };
  }

  /** Merges `fields` into the session's state and returns the result. */
  update(sessionId: string, fields: Partial<GitStateRecord>): GitStateRecord {
    const next = { ...this.get(sessionId), ...fields };
    prepared(
      this.db,
      `INSERT INTO session_git_state (session_id, sync_strategy, conflicts, worktree_missing, branch_missing, last_known_head, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET sync_strategy = excluded.sync_strategy, conflicts = excluded.conflicts,
           worktree_missing = excluded.worktree_missing, branch_missing = excluded.branch_missing,
           last_known_head = excluded.last_known_head, updated_at = excluded.updated_at`,
    ).run(
      sessionId,
      next.sync?.strategy ?? null,
      JSON.stringify(next.sync?.conflicts ?? []),
      next.worktreeMissing ? 1 : 0,
      next.branchMissing ? 1 : 0,
      next.lastKnownHead,
      Date.now(),
    );
    return next;
  }
}

/** The API view: the stored state without the internal `lastKnownHead`. */
export function toApiGitState(record: GitStateRecord): SessionGitState {
  return { sync: record.sync, worktreeMissing: record.worktreeMissing, branchMissing: record.branchMissing };
}
