import { PullRequestStatus } from '@chatml/protocol';
import type { Database } from '../store/database.js';
import { prepared } from '../store/prepared.js';

/** The pull request linked to a session, and where its API lives. */
export interface PullRequestLink {
  sessionId: string;
  number: number;
  url: string;
  host: string;
  apiBaseUrl: string;
  owner: string;
  repo: string;
  headBranch: string;
  /** The last status fetched from GitHub, if any. */
  status: PullRequestStatus | null;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  session_id: string;
  number: number;
  url: string;
  host: string;
  api_base_url: string;
  owner: string;
  repo: string;
  head_branch: string;
  status: string | null;
  created_at: number;
  updated_at: number;
}

function toLink(row: Row): PullRequestLink {
  let status: PullRequestStatus | null = null;
  if (row.status) {
    // A status stored by an older version may not parse; it is only a cache, so it is dropped.
    const parsed = PullRequestStatus.safeParse(JSON.parse(row.status));
    status = parsed.success ? parsed.data : null;
  }
  return {
    sessionId: row.session_id,
    number: row.number,
    url: row.url,
    host: row.host,
    apiBaseUrl: row.api_base_url,
    owner: row.owner,
    repo: row.repo,
    headBranch: row.head_branch,
    status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** `session_pull_requests`: one PR per session (a new one replaces a closed one). */
export class PullRequestStore {
  constructor(private readonly db: Database) {}

  link(link: Omit<PullRequestLink, 'status' | 'createdAt' | 'updatedAt'>): PullRequestLink {
    const now = Date.now();
    prepared(
      this.db,
      `INSERT INTO session_pull_requests
         (session_id, number, url, host, api_base_url, owner, repo, head_branch, status, created_at, updated_at)
       VALUES (@sessionId, @number, @url, @host, @apiBaseUrl, @owner, @repo, @headBranch, NULL, @now, @now)
       ON CONFLICT (session_id) DO UPDATE SET number = excluded.number, url = excluded.url,
         host = excluded.host, api_base_url = excluded.api_base_url, owner = excluded.owner,
         repo = excluded.repo, head_branch = excluded.head_branch, status = NULL, updated_at = excluded.updated_at`,
    ).run({ ...link, now });
    const stored = this.get(link.sessionId);
    if (!stored) throw new Error(`pull request link of ${link.sessionId} vanished`);
    return stored;
  }

  get(sessionId: string): PullRequestLink | undefined {
    const row = prepared(this.db, 'SELECT * FROM session_pull_requests WHERE session_id = ?').get(
      sessionId,
    ) as Row | undefined;
    return row && toLink(row);
  }

  list(): PullRequestLink[] {
    return (prepared(this.db, 'SELECT * FROM session_pull_requests ORDER BY created_at').all() as Row[]).map(
      toLink,
    );
  }

  saveStatus(sessionId: string, status: PullRequestStatus): void {
    prepared(this.db, 'UPDATE session_pull_requests SET status = ?, updated_at = ? WHERE session_id = ?').run(
      JSON.stringify(status),
      Date.now(),
      sessionId,
    );
  }
}
