/**
 * Schema migrations, applied in order inside one transaction each. Never edit a shipped migration:
 * add a new one. The `schema_version` table records how far a database has come.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE,
    base_branch TEXT NOT NULL,
    remote_url TEXT,
    status TEXT NOT NULL,
    status_detail TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    branch TEXT NOT NULL,
    base_branch TEXT NOT NULL,
    worktree_path TEXT NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT,
    model TEXT,
    permission_mode TEXT NOT NULL,
    sdk_session_id TEXT,
    archived_ref TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
  );
  CREATE INDEX sessions_by_workspace ON sessions (workspace_id);
  CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    ts INTEGER NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
  ) WITHOUT ROWID;
  `,
  // The pull request a session opened (forge/pr-store.ts); `status` is the last one fetched, as JSON.
  `
  CREATE TABLE session_pull_requests (
    session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    url TEXT NOT NULL,
    host TEXT NOT NULL,
    api_base_url TEXT NOT NULL,
    owner TEXT NOT NULL,
    repo TEXT NOT NULL,
    head_branch TEXT NOT NULL,
    status TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // Git state of a session the UI must show (sync stopped on conflicts, missing worktree or branch),
  // and the last branch tip seen, from which restore can re-create a deleted branch.
  `
  CREATE TABLE session_git_state (
    session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    sync_strategy TEXT,
    conflicts TEXT NOT NULL DEFAULT '[]',
    worktree_missing INTEGER NOT NULL DEFAULT 0,
    branch_missing INTEGER NOT NULL DEFAULT 0,
    last_known_head TEXT,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // Where appends land first (store/event-store.ts): a rowid table, so every append writes at its
  // end. Appending straight to `events`, keyed (session_id, seq), writes into one leaf page per
  // streaming session — ~2.4 WAL pages per event with 20 sessions. Rows move to `events` in bulk,
  // sorted, a few hundred at a time.
  `
  CREATE TABLE events_recent (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    ts INTEGER NOT NULL,
    payload TEXT NOT NULL
  );
  `,
  // Appends go to a journal file now (store/event-journal.ts) and reach `events` sorted, in bulk:
  // the rows an earlier version left in `events_recent` move over, and the table goes.
  `
  INSERT OR REPLACE INTO events (session_id, seq, type, ts, payload)
    SELECT session_id, seq, type, ts, payload FROM events_recent ORDER BY session_id, seq;
  DROP TABLE events_recent;
  `,
];
