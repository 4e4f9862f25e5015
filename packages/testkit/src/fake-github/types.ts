/** What tests see of and script into the fake GitHub REST API. */

/** One HTTP request as the fake received it. */
export interface RecordedGitHubRequest {
  method: string;
  /** Path with query string, without the base URL's prefix (e.g. `/repos/o/r/pulls?state=open`). */
  path: string;
  /** The full path as sent, prefix included (e.g. `/api/v3/repos/o/r/pulls`). */
  rawPath: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; raw text when not JSON; undefined when empty. */
  body: unknown;
  /** The status the fake answered with. */
  status: number;
}

/** A response to give instead of the normal one, for the next request that matches. */
export interface ScriptedGitHubResponse {
  status: number;
  /** JSON body; default `{message}` with a GitHub-like text for the status. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Only requests with this method match (default: any). */
  method?: string;
  /** Only requests whose path (without prefix) contains this text or matches this pattern (default: any). */
  path?: string | RegExp;
}

export interface FakeUser {
  login: string;
}

export interface NewReviewComment {
  path: string;
  /** The line in the new version of the file; `null` makes the comment outdated. */
  line: number | null;
  body: string;
  user?: string;
  inReplyToId?: number;
  /** Default `RIGHT`. */
  side?: 'LEFT' | 'RIGHT';
}

export interface NewReview {
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  body?: string;
  user?: string;
}

export interface NewCheckRun {
  name: string;
  status?: 'queued' | 'in_progress' | 'completed';
  conclusion?:
    | 'success'
    | 'failure'
    | 'neutral'
    | 'cancelled'
    | 'skipped'
    | 'timed_out'
    | 'action_required'
    | null;
  detailsUrl?: string;
}

export interface NewCommitStatus {
  context: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  description?: string;
  targetUrl?: string;
}
