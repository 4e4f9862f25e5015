import { createHash } from 'node:crypto';
import { execGit } from '../repos/git-exec.js';
import type { NewCheckRun, NewCommitStatus, NewReview, NewReviewComment } from './types.js';

interface PullRecord {
  id: number;
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  closedAt: string | null;
  mergeable: boolean | null;
  mergeableState: string;
  head: string;
  base: string;
  /** Last head sha seen (kept when the branch is deleted after a merge). */
  headSha: string;
  baseSha: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

interface ReviewCommentRecord {
  id: number;
  pull: number;
  reviewId: number | null;
  path: string;
  line: number | null;
  originalLine: number | null;
  side: 'LEFT' | 'RIGHT';
  body: string;
  user: string;
  inReplyToId: number | undefined;
  commitId: string;
  createdAt: string;
  updatedAt: string;
}

interface ReviewRecord {
  id: number;
  pull: number;
  state: string;
  body: string;
  user: string;
  commitId: string;
  submittedAt: string;
}

interface IssueCommentRecord {
  id: number;
  issue: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

/** A validation failure GitHub answers with 422. */
export class ValidationFailed extends Error {
  constructor(
    message: string,
    readonly errors: unknown[] = [],
  ) {
    super(message);
  }
}

let nextId = 1000;
/** Strictly increasing timestamps, so `sort=updated` is deterministic within one millisecond. */
let lastTime = 0;
function now(): string {
  lastTime = Math.max(lastTime + 1, Date.now());
  return new Date(lastTime).toISOString();
}

/**
 * One repository of the fake: its pull requests, review comments, reviews, issue comments, check
 * runs and commit statuses. When it has a `gitDir` (a bare repository tests push to), branch heads
 * are read from it, so a push moves a PR's head sha just as on GitHub.
 */
export class FakeRepo {
  readonly pulls: PullRecord[] = [];
  private readonly reviewComments: ReviewCommentRecord[] = [];
  private readonly reviews: ReviewRecord[] = [];
  private readonly issueComments: IssueCommentRecord[] = [];
  private readonly resolvedThreads = new Set<number>();
  private readonly checkRuns = new Map<string, (NewCheckRun & { id: number; startedAt: string })[]>();
  private readonly statuses = new Map<string, (NewCommitStatus & { id: number; createdAt: string })[]>();

  constructor(
    readonly owner: string,
    readonly name: string,
    readonly htmlBase: string,
    readonly defaultBranch: string,
    readonly gitDir: string | undefined,
  ) {}

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  /** The sha of a branch (from `gitDir`), or of a ref given as a sha; undefined when unknown. */
  async resolve(ref: string): Promise<string | undefined> {
    if (/^[0-9a-f]{40}$/.test(ref)) return ref;
    if (!this.gitDir) return createHash('sha1').update(`${this.fullName}:${ref}`).digest('hex');
    try {
      return (
        await execGit(this.gitDir, ['rev-parse', '--verify', '--quiet', `refs/heads/${ref}^{commit}`])
      ).trim();
    } catch {
      return undefined;
    }
  }

  async createPull(
    input: { title?: unknown; head?: unknown; base?: unknown; body?: unknown; draft?: unknown },
    user: string,
  ): Promise<PullRecord> {
    const missing = ['title', 'head', 'base'].filter(
      (field) => typeof input[field as keyof typeof input] !== 'string' || input[field as 'title'] === '',
    );
    if (missing.length > 0)
      throw new ValidationFailed(
        'Validation Failed',
        missing.map((field) => ({ resource: 'PullRequest', field, code: 'missing_field' })),
      );
    // `head` may be `owner:branch` (cross-repo form) or a branch of this repository.
    const head = String(input.head).replace(new RegExp(`^${this.owner}:`), '');
    const base = String(input.base);
    const headSha = await this.resolve(head);
    const baseSha = await this.resolve(base);
    if (!headSha)
      throw new ValidationFailed('Validation Failed', [
        { resource: 'PullRequest', field: 'head', code: 'invalid' },
      ]);
    if (!baseSha)
      throw new ValidationFailed('Validation Failed', [
        { resource: 'PullRequest', field: 'base', code: 'invalid' },
      ]);
    if (this.pulls.some((pull) => pull.state === 'open' && pull.head === head && pull.base === base))
      throw new ValidationFailed('Validation Failed', [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${this.owner}:${head}.`,
        },
      ]);
    const time = now();
    const pull: PullRecord = {
      id: nextId++,
      number: this.nextNumber(),
      title: String(input.title),
      body: typeof input.body === 'string' ? input.body : '',
      state: 'open',
      draft: input.draft === true,
      merged: false,
      mergedAt: null,
      closedAt: null,
      mergeable: true,
      mergeableState: 'clean',
      head,
      base,
      headSha,
      baseSha,
      user,
      createdAt: time,
      updatedAt: time,
    };
    this.pulls.push(pull);
    return pull;
  }

  pull(number: number): PullRecord {
    const pull = this.pulls.find((candidate) => candidate.number === number);
    if (!pull) throw new Error(`fake-github: ${this.fullName} has no pull request #${number}`);
    return pull;
  }

  updatePull(
    number: number,
    fields: Partial<Pick<PullRecord, 'title' | 'body' | 'state' | 'base' | 'draft'>>,
  ) {
    const pull = this.pull(number);
    Object.assign(pull, fields);
    if (fields.state === 'closed') pull.closedAt = now();
    pull.updatedAt = now();
    return pull;
  }

  /** Merge as GitHub's merge button would (state only: the git side is up to the test). */
  mergePull(number: number): void {
    const pull = this.pull(number);
    const time = now();
    Object.assign(pull, { state: 'closed', merged: true, mergedAt: time, closedAt: time, updatedAt: time });
  }

  setMergeable(number: number, mergeable: boolean | null, mergeableState: string): void {
    Object.assign(this.pull(number), { mergeable, mergeableState, updatedAt: now() });
  }

  addReviewComment(number: number, comment: NewReviewComment): number {
    const pull = this.pull(number);
    const time = now();
    const id = nextId++;
    this.reviewComments.push({
      id,
      pull: number,
      reviewId: null,
      path: comment.path,
      line: comment.line,
      originalLine: comment.line,
      side: comment.side ?? 'RIGHT',
      body: comment.body,
      user: comment.user ?? 'reviewer',
      inReplyToId: comment.inReplyToId,
      commitId: pull.headSha,
      createdAt: time,
      updatedAt: time,
    });
    pull.updatedAt = time;
    return id;
  }

  /** Mark the thread that `rootCommentId` starts as resolved (the "Resolve conversation" button). */
  resolveThread(rootCommentId: number): void {
    this.resolvedThreads.add(rootCommentId);
  }

  /** The comment's line left the diff (GitHub then reports `line: null`, i.e. outdated). */
  outdateReviewComment(id: number): void {
    const comment = this.reviewComments.find((candidate) => candidate.id === id);
    if (!comment) throw new Error(`fake-github: no review comment ${id}`);
    comment.line = null;
    comment.updatedAt = now();
  }

  addReview(number: number, review: NewReview): number {
    const pull = this.pull(number);
    const id = nextId++;
    this.reviews.push({
      id,
      pull: number,
      state: review.state,
      body: review.body ?? '',
      user: review.user ?? 'reviewer',
      commitId: pull.headSha,
      submittedAt: now(),
    });
    return id;
  }

  addIssueComment(number: number, body: string, user = 'reviewer'): number {
    this.pull(number);
    const time = now();
    const id = nextId++;
    this.issueComments.push({ id, issue: number, body, user, createdAt: time, updatedAt: time });
    return id;
  }

  setCheckRuns(sha: string, runs: NewCheckRun[]): void {
    this.checkRuns.set(
      sha,
      runs.map((run) => ({ ...run, id: nextId++, startedAt: now() })),
    );
  }

  setStatuses(sha: string, statuses: NewCommitStatus[]): void {
    this.statuses.set(
      sha,
      statuses.map((status) => ({ ...status, id: nextId++, createdAt: now() })),
    );
  }

  // ---- JSON as the REST API returns it ----------------------------------------------------------

  async pullJson(pull: PullRecord, apiBase: string) {
    if (pull.state === 'open') pull.headSha = (await this.resolve(pull.head)) ?? pull.headSha;
    const repo = { full_name: this.fullName, name: this.name, owner: { login: this.owner } };
    return {
      id: pull.id,
      number: pull.number,
      url: `${apiBase}/repos/${this.fullName}/pulls/${pull.number}`,
      html_url: `${this.htmlBase}/${this.fullName}/pull/${pull.number}`,
      state: pull.state,
      draft: pull.draft,
      merged: pull.merged,
      merged_at: pull.mergedAt,
      closed_at: pull.closedAt,
      mergeable: pull.state === 'open' ? pull.mergeable : null,
      mergeable_state: pull.mergeableState,
      title: pull.title,
      body: pull.body,
      user: { login: pull.user },
      head: { ref: pull.head, sha: pull.headSha, label: `${this.owner}:${pull.head}`, repo },
      base: { ref: pull.base, sha: pull.baseSha, label: `${this.owner}:${pull.base}`, repo },
      created_at: pull.createdAt,
      updated_at: pull.updatedAt,
    };
  }

  reviewCommentsJson(number: number, query: URLSearchParams) {
    const list = this.reviewComments.filter((comment) => comment.pull === number);
    const sort = query.get('sort');
    if (sort === 'created' || sort === 'updated') {
      const key = sort === 'created' ? 'createdAt' : 'updatedAt';
      const direction = query.get('direction') === 'asc' ? 1 : -1;
      list.sort((a, b) => a[key].localeCompare(b[key]) * direction);
    }
    return list.map((comment) => ({
      id: comment.id,
      pull_request_review_id: comment.reviewId,
      path: comment.path,
      line: comment.line,
      original_line: comment.originalLine,
      position: comment.line,
      side: comment.side,
      body: comment.body,
      user: { login: comment.user },
      in_reply_to_id: comment.inReplyToId,
      commit_id: comment.commitId,
      html_url: `${this.htmlBase}/${this.fullName}/pull/${number}#discussion_r${comment.id}`,
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
    }));
  }

  /** GraphQL `pullRequest.reviewThreads.nodes`: one per thread, with its first comment's id. */
  reviewThreadsGraph(number: number) {
    return this.reviewComments
      .filter((comment) => comment.pull === number && comment.inReplyToId === undefined)
      .map((root) => ({
        isResolved: this.resolvedThreads.has(root.id),
        isOutdated: root.line === null,
        comments: { nodes: [{ databaseId: root.id }] },
      }));
  }

  reviewsJson(number: number) {
    return this.reviews
      .filter((review) => review.pull === number)
      .map((review) => ({
        id: review.id,
        state: review.state,
        body: review.body,
        user: { login: review.user },
        commit_id: review.commitId,
        submitted_at: review.submittedAt,
        html_url: `${this.htmlBase}/${this.fullName}/pull/${number}#pullrequestreview-${review.id}`,
      }));
  }

  issueCommentsJson(number: number) {
    return this.issueComments
      .filter((comment) => comment.issue === number)
      .map((comment) => ({
        id: comment.id,
        body: comment.body,
        user: { login: comment.user },
        html_url: `${this.htmlBase}/${this.fullName}/pull/${number}#issuecomment-${comment.id}`,
        created_at: comment.createdAt,
        updated_at: comment.updatedAt,
      }));
  }

  checkRunsJson(sha: string) {
    const runs = this.checkRuns.get(sha) ?? [];
    return {
      total_count: runs.length,
      check_runs: runs.map((run) => ({
        id: run.id,
        name: run.name,
        head_sha: sha,
        status: run.status ?? 'completed',
        conclusion: (run.status ?? 'completed') === 'completed' ? (run.conclusion ?? 'success') : null,
        details_url: run.detailsUrl ?? null,
        html_url: `${this.htmlBase}/${this.fullName}/runs/${run.id}`,
        started_at: run.startedAt,
      })),
    };
  }

  combinedStatusJson(sha: string) {
    const statuses = this.statuses.get(sha) ?? [];
    const states = statuses.map((status) => status.state);
    const state =
      states.includes('error') || states.includes('failure')
        ? 'failure'
        : states.includes('pending') || states.length === 0
          ? 'pending'
          : 'success';
    return {
      state,
      sha,
      total_count: statuses.length,
      statuses: statuses.map((status) => ({
        id: status.id,
        context: status.context,
        state: status.state,
        description: status.description ?? null,
        target_url: status.targetUrl ?? null,
        created_at: status.createdAt,
      })),
    };
  }

  private nextNumber(): number {
    return this.pulls.length + 1;
  }
}
