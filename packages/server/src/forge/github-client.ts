import { APP_VERSION } from '@chatml/protocol';
import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import type { GitHubToken } from './credentials.js';
import { ForgeAuthError, ForgeError, ForgeRateLimitedError } from './forge-errors.js';
import type { RateLimits } from './rate-limit.js';
import type { GitHubRepo } from './remote.js';

const GitHubOctokit = Octokit.plugin(paginateRest);
type GitHubOctokit = InstanceType<typeof GitHubOctokit>;

/** The fields of GitHub's JSON that ChatML reads. */
export interface GhPull {
  number: number;
  html_url: string;
  state: 'open' | 'closed';
  draft?: boolean;
  merged?: boolean;
  merged_at: string | null;
  title: string;
  mergeable?: boolean | null;
  mergeable_state?: string;
  head: { ref: string; sha: string };
  base: { ref: string };
}
export interface GhReviewComment {
  id: number;
  path: string;
  line?: number | null;
  body: string;
  user: { login: string } | null;
  in_reply_to_id?: number;
  html_url: string;
  created_at: string;
}
export interface GhReview {
  id: number;
  state: string;
  body: string | null;
  user: { login: string } | null;
  html_url: string;
  submitted_at?: string;
}
export interface GhIssueComment {
  id: number;
  body?: string;
  user: { login: string } | null;
  html_url: string;
  created_at: string;
}
export interface GhCheckRuns {
  check_runs: {
    name: string;
    status: string;
    conclusion: string | null;
    details_url?: string | null;
    html_url?: string | null;
  }[];
}
export interface GhCombinedStatus {
  statuses: { context: string; state: string; target_url: string | null }[];
}

/** A conditional GET's answer: new data with its ETag, or "unchanged since that ETag" (a free 304). */
export type Conditional<T> = { isModified: true; data: T; etag: string | undefined } | { isModified: false };

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The GitHub REST calls ChatML makes, through Octokit, for one repository. Errors come back as
 * user-facing AppErrors (bad token, rate limit, validation, not found); every response's rate-limit
 * headers feed the shared `RateLimits`, and a call made while the limit is used up fails at once
 * without reaching GitHub.
 */
export class GitHubClient {
  private readonly octokit: GitHubOctokit;

  constructor(
    readonly repo: GitHubRepo,
    private readonly token: GitHubToken,
    private readonly rateLimits: RateLimits,
  ) {
    this.octokit = new GitHubOctokit({
      auth: token.token,
      baseUrl: repo.apiBaseUrl,
      userAgent: `ChatML/${APP_VERSION}`,
      // Octokit logs deprecations and 4xx details with console.warn; our errors carry what matters.
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
  }

  async createPull(fields: {
    title: string;
    body: string;
    head: string;
    base: string;
    draft: boolean;
  }): Promise<GhPull> {
    const response = await this.call(() =>
      this.octokit.request('POST /repos/{owner}/{repo}/pulls', {
        ...this.path,
        ...fields,
        request: { signal: timeout() },
      }),
    );
    return response.data as GhPull;
  }

  /** Open (or `state`) PRs whose head is `branch` of this repository. */
  async listPullsByHead(branch: string, state: 'open' | 'all' = 'open'): Promise<GhPull[]> {
    const response = await this.call(() =>
      this.octokit.request('GET /repos/{owner}/{repo}/pulls', {
        ...this.path,
        head: `${this.repo.owner}:${branch}`,
        state,
        per_page: 100,
        request: { signal: timeout() },
      }),
    );
    return response.data as GhPull[];
  }

  getPull(number: number, etag?: string): Promise<Conditional<GhPull>> {
    return this.conditional('GET /repos/{owner}/{repo}/pulls/{pull_number}', { pull_number: number }, etag);
  }

  /**
   * Review comments, newest activity first, so the first page — the one the ETag covers — changes
   * whenever any comment is added or edited; all pages are read only then.
   */
  async reviewComments(number: number, etag?: string): Promise<Conditional<GhReviewComment[]>> {
    const first = await this.conditional<GhReviewComment[]>(
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/comments',
      { pull_number: number, sort: 'updated', direction: 'desc', per_page: 100 },
      etag,
    );
    if (!first.isModified || first.data.length < 100) return first;
    const all = await this.call(() =>
      this.octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/comments', {
        ...this.path,
        pull_number: number,
        sort: 'updated',
        direction: 'desc',
        per_page: 100,
      }),
    );
    return { ...first, data: all as GhReviewComment[] };
  }

  reviews(number: number, etag?: string): Promise<Conditional<GhReview[]>> {
    return this.conditional(
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
      { pull_number: number, per_page: 100 },
      etag,
    );
  }

  issueComments(number: number, etag?: string): Promise<Conditional<GhIssueComment[]>> {
    return this.conditional(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { issue_number: number, per_page: 100 },
      etag,
    );
  }

  checkRuns(ref: string, etag?: string): Promise<Conditional<GhCheckRuns>> {
    return this.conditional(
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
      { ref, per_page: 100 },
      etag,
    );
  }

  combinedStatus(ref: string, etag?: string): Promise<Conditional<GhCombinedStatus>> {
    return this.conditional('GET /repos/{owner}/{repo}/commits/{ref}/status', { ref, per_page: 100 }, etag);
  }

  /**
   * Which review threads are resolved, by the id of each thread's first comment. Only GraphQL
   * knows (the REST API has no such field); it costs a GraphQL rate-limit point, so it is asked
   * when comments go to the agent, not on every poll.
   */
  async resolvedThreads(number: number): Promise<Map<number, boolean>> {
    const resolved = new Map<number, boolean>();
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const answer: ReviewThreadsAnswer = await this.call(() =>
        this.octokit.graphql<ReviewThreadsAnswer>(REVIEW_THREADS_QUERY, {
          owner: this.repo.owner,
          repo: this.repo.repo,
          number,
          cursor,
          request: { signal: timeout() },
        }),
      );
      const threads = answer.repository?.pullRequest?.reviewThreads;
      for (const thread of threads?.nodes ?? []) {
        const rootId = thread.comments.nodes[0]?.databaseId;
        if (rootId !== undefined) resolved.set(rootId, thread.isResolved);
      }
      if (!threads?.pageInfo.hasNextPage) break;
      cursor = threads.pageInfo.endCursor;
    }
    return resolved;
  }

  private get path() {
    return { owner: this.repo.owner, repo: this.repo.repo };
  }

  private async conditional<T>(
    route: string,
    params: Record<string, unknown>,
    etag: string | undefined,
  ): Promise<Conditional<T>> {
    try {
      const response = await this.call(() =>
        this.octokit.request(route, {
          ...this.path,
          ...params,
          headers: etag ? { 'if-none-match': etag } : {},
          request: { signal: timeout() },
        }),
      );
      return { isModified: true, data: response.data as T, etag: response.headers.etag };
    } catch (error) {
      if (error instanceof NotModified) return { isModified: false };
      throw error;
    }
  }

  /** Runs one API call: refuses while rate-limited, records rate-limit headers, maps errors. */
  private async call<T>(send: () => Promise<T>): Promise<T> {
    const base = this.repo.apiBaseUrl;
    const pausedUntil = this.rateLimits.pausedUntilFor(base);
    if (pausedUntil !== null) throw new ForgeRateLimitedError(pausedUntil);
    try {
      const response = await send();
      const { status, headers } = response as { status?: number; headers?: Record<string, string> };
      if (status !== undefined && headers) this.rateLimits.observe(base, status, headers);
      return response;
    } catch (error) {
      const failure = error as {
        status?: number;
        message?: string;
        response?: { headers?: Record<string, string>; data?: unknown };
      };
      if (typeof failure.status !== 'number') throw error;
      const headers = failure.response?.headers ?? {};
      this.rateLimits.observe(base, failure.status, headers);
      if (failure.status === 304) throw new NotModified();
      throw this.toAppError(failure.status, failure.response?.data, failure.message ?? '');
    }
  }

  private toAppError(status: number, data: unknown, message: string): Error {
    const where = `${this.repo.owner}/${this.repo.repo} at ${this.repo.apiBaseUrl}`;
    const githubMessage = describeGitHubError(data) ?? message;
    const limitedUntil = this.rateLimits.pausedUntilFor(this.repo.apiBaseUrl);
    if (limitedUntil !== null && (status === 403 || status === 429))
      return new ForgeRateLimitedError(limitedUntil);
    if (status === 401)
      return new ForgeAuthError(
        `GitHub refused the token from ${this.token.source} (401 ${githubMessage}). Set a valid token in GITHUB_TOKEN or run gh auth login.`,
      );
    if (status === 403)
      return new ForgeAuthError(
        `GitHub did not allow this for ${where} (403 ${githubMessage}). The token from ${this.token.source} may lack the "repo" scope or access to this repository.`,
      );
    if (status === 404)
      return new ForgeError(
        `GitHub has no ${where}, or the token from ${this.token.source} cannot see it (404).`,
        404,
      );
    if (status === 422) return new ForgeError(`GitHub refused the request: ${githubMessage}`, 422);
    if (status >= 500 && !data)
      return new ForgeError(`Cannot reach GitHub at ${this.repo.apiBaseUrl}: ${message}`, status);
    return new ForgeError(`GitHub answered ${status}: ${githubMessage}`, status);
  }
}

class NotModified extends Error {}

const REVIEW_THREADS_QUERY = `
  query ($owner: String!, $repo: String!, $number: Int!, $cursor: String) {
    repository(owner: $owner, name: $repo) {
      pullRequest(number: $number) {
        reviewThreads(first: 100, after: $cursor) {
          nodes { isResolved comments(first: 1) { nodes { databaseId } } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }`;

interface ReviewThreadsAnswer {
  repository: {
    pullRequest: {
      reviewThreads: {
        nodes: { isResolved: boolean; comments: { nodes: { databaseId: number }[] } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } | null;
  } | null;
}

function timeout(): AbortSignal {
  return AbortSignal.timeout(REQUEST_TIMEOUT_MS);
}

/** GitHub's error body: `{message, errors: [{message} | {resource, field, code}]}` → one sentence. */
export function describeGitHubError(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { message, errors } = data as { message?: unknown; errors?: unknown };
  const details = Array.isArray(errors)
    ? errors
        .map((item) => {
          if (typeof item === 'string') return item;
          const entry = item as { message?: string; field?: string; code?: string };
          return entry.message ?? [entry.field, entry.code].filter(Boolean).join(' ');
        })
        .filter(Boolean)
    : [];
  const text = [typeof message === 'string' ? message : undefined, ...details].filter(Boolean).join(': ');
  return text || undefined;
}
