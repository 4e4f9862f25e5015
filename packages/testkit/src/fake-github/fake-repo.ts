import { createHash } from 'node:crypto';
import { execGit } from '../repos/git-exec.js';
import {
  type CheckRunRecord,
  type CommitStatusRecord,
  type IssueCommentRecord,
  newId,
  now,
  type PullRecord,
  type ReviewCommentRecord,
  type ReviewRecord,
} from './records.js';
import * as RestJson from './rest-json.js';
import type { NewCheckRun, NewCommitStatus, NewReview, NewReviewComment } from './types.js';

/** A validation failure GitHub answers with 422. */
export class ValidationFailed extends Error {
  constructor(
    message: string,
    readonly errors: unknown[] = [],
  ) {
    super(message);
  }
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
  private readonly checkRuns = new Map<string, CheckRunRecord[]>();
  private readonly statuses = new Map<string, CommitStatusRecord[]>();

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
      // `rev-parse --verify` exits non-zero for a branch that does not exist: GitHub's "unknown ref".
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
      id: newId(),
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
    const id = newId();
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
    const id = newId();
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
    const id = newId();
    this.issueComments.push({ id, issue: number, body, user, createdAt: time, updatedAt: time });
    return id;
  }

  setCheckRuns(sha: string, runs: NewCheckRun[]): void {
    this.checkRuns.set(
      sha,
      runs.map((run) => ({ ...run, id: newId(), startedAt: now() })),
    );
  }

  setStatuses(sha: string, statuses: NewCommitStatus[]): void {
    this.statuses.set(
      sha,
      statuses.map((status) => ({ ...status, id: newId(), createdAt: now() })),
    );
  }

  // ---- JSON as the REST API returns it ----------------------------------------------------------

  async pullJson(pull: PullRecord, apiBase: string) {
    if (pull.state === 'open') pull.headSha = (await this.resolve(pull.head)) ?? pull.headSha;
    return RestJson.pullJson(this, pull, apiBase);
  }

  reviewCommentsJson(number: number, query: URLSearchParams) {
    const list = this.reviewComments.filter((comment) => comment.pull === number);
    const sort = query.get('sort');
    if (sort === 'created' || sort === 'updated') {
      const key = sort === 'created' ? 'createdAt' : 'updatedAt';
      const direction = query.get('direction') === 'asc' ? 1 : -1;
      list.sort((a, b) => a[key].localeCompare(b[key]) * direction);
    }
    return list.map((comment) => RestJson.reviewCommentJson(this, comment));
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
      .map((review) => RestJson.reviewJson(this, review));
  }

  issueCommentsJson(number: number) {
    return this.issueComments
      .filter((comment) => comment.issue === number)
      .map((comment) => RestJson.issueCommentJson(this, comment));
  }

  checkRunsJson(sha: string) {
    return RestJson.checkRunsJson(this, sha, this.checkRuns.get(sha) ?? []);
  }

  combinedStatusJson(sha: string) {
    return RestJson.combinedStatusJson(sha, this.statuses.get(sha) ?? []);
  }

  private nextNumber(): number {
    return this.pulls.length + 1;
  }
}
