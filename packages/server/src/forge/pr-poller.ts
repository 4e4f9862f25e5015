import type { PullRequestStatus } from '@chatml/protocol';
import type { Logger } from '../logger.js';
import { ForgeRateLimitedError } from './forge-errors.js';
import type { Conditional, GitHubClient } from './github-client.js';
import { type PullRequestParts, toPullRequestStatus } from './pr-status.js';
import type { PullRequestLink, PullRequestStore } from './pr-store.js';
import type { RateLimits } from './rate-limit.js';

export interface PullRequestPollerOptions {
  store: PullRequestStore;
  /** A client for the PR's repository (token resolved by the caller, cached as it likes). */
  clientFor(link: PullRequestLink): Promise<GitHubClient>;
  rateLimits: RateLimits;
  /** A PR's status changed (state, checks, comments…): tell the clients. */
  onChanged(sessionId: string, status: PullRequestStatus): void;
  logger: Logger;
  now?: () => number;
  /** Time between polls of a PR that changes; doubles while nothing changes, up to `maxIntervalMs`. */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** Run polls on timers (the server); tests drive `tick()` themselves. */
  isAutomatic?: boolean;
}

interface Watch {
  sessionId: string;
  etags: Map<string, string>;
  parts: Partial<PullRequestParts>;
  last: PullRequestStatus | null;
  intervalMs: number;
  nextPollAt: number;
  inFlight: Promise<PullRequestStatus> | null;
}

/**
 * Keeps the open PRs of sessions up to date. Every part (the PR, review comments, reviews,
 * conversation comments, check runs and statuses of the head commit) is fetched with its last
 * ETag, so an unchanged poll is a series of 304s that cost no rate limit. A PR that does not change
 * is polled less and less often (backoff); while GitHub's limit is used up no request is made until
 * its reset. Changes are stored and reported through `onChanged`.
 */
export class PullRequestPoller {
  private readonly watches = new Map<string, Watch>();
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly maxIntervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private isDisposed = false;
  private ticking: Promise<void> | null = null;

  constructor(private readonly options: PullRequestPollerOptions) {
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? 30_000;
    this.maxIntervalMs = options.maxIntervalMs ?? 5 * 60_000;
  }

  /** Watch every linked PR that was open when last seen (after a restart). */
  start(): void {
    for (const link of this.options.store.list()) {
      if (!link.status || link.status.state === 'open') this.track(link.sessionId, link.status);
    }
  }

  /**
   * Poll this session's PR from now on. `isDueNow: false` when the caller fetches it itself right
   * away (a PR just created), so the first timed poll comes one interval later.
   */
  track(sessionId: string, last: PullRequestStatus | null = null, isDueNow = true): void {
    const nextPollAt = isDueNow ? this.now() : this.now() + this.intervalMs;
    const existing = this.watches.get(sessionId);
    if (existing) {
      existing.intervalMs = this.intervalMs;
      existing.nextPollAt = nextPollAt;
    } else {
      this.watches.set(sessionId, {
        sessionId,
        etags: new Map(),
        parts: {},
        last,
        intervalMs: this.intervalMs,
        nextPollAt,
        inFlight: null,
      });
    }
    this.schedule();
  }

  isTracking(sessionId: string): boolean {
    return this.watches.has(sessionId);
  }

  /**
   * Fetch the PR's status now (conditional requests, so it is cheap when nothing changed). While
   * rate-limited it returns the last known status marked with `rateLimitedUntil`.
   */
  refresh(sessionId: string): Promise<PullRequestStatus> {
    let watch = this.watches.get(sessionId);
    if (!watch) {
      this.track(sessionId, this.options.store.get(sessionId)?.status ?? null);
      watch = this.watches.get(sessionId) as Watch;
    }
    if (watch.inFlight) return watch.inFlight;
    const current = watch;
    const polling = this.poll(current).finally(() => {
      current.inFlight = null;
    });
    current.inFlight = polling;
    return polling;
  }

  /** Poll every PR that is due (and not paused by the rate limit). */
  tick(): Promise<void> {
    this.ticking ??= this.runDue().finally(() => {
      this.ticking = null;
      this.schedule();
    });
    return this.ticking;
  }

  dispose(): void {
    this.isDisposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async runDue(): Promise<void> {
    for (const watch of [...this.watches.values()]) {
      if (this.isDisposed) return;
      if (watch.nextPollAt > this.now()) continue;
      const link = this.options.store.get(watch.sessionId);
      if (!link) {
        this.watches.delete(watch.sessionId);
        continue;
      }
      const pausedUntil = this.options.rateLimits.pausedUntilFor(link.apiBaseUrl);
      if (pausedUntil !== null) {
        watch.nextPollAt = pausedUntil;
        continue;
      }
      try {
        await this.refresh(watch.sessionId);
      } catch (error) {
        this.options.logger.warn(
          `polling the pull request of ${watch.sessionId} failed: ${(error as Error).message}`,
        );
        watch.intervalMs = Math.min(watch.intervalMs * 2, this.maxIntervalMs);
        watch.nextPollAt = this.now() + watch.intervalMs;
      }
    }
  }

  private async poll(watch: Watch): Promise<PullRequestStatus> {
    const link = this.options.store.get(watch.sessionId);
    if (!link) throw new Error(`session ${watch.sessionId} has no pull request`);
    let status: PullRequestStatus;
    try {
      status = await this.fetch(watch, link);
    } catch (error) {
      if (error instanceof ForgeRateLimitedError) {
        watch.nextPollAt = error.resetAt;
        const last = watch.last ?? link.status;
        if (!last) throw error;
        const marked = { ...last, rateLimitedUntil: error.resetAt };
        if (last.rateLimitedUntil !== error.resetAt) this.publish(watch, marked);
        return marked;
      }
      throw error;
    }
    const isChanged = !watch.last || !sameStatus(watch.last, status);
    if (isChanged) this.publish(watch, status);
    else watch.last = status;
    watch.intervalMs = isChanged ? this.intervalMs : Math.min(watch.intervalMs * 2, this.maxIntervalMs);
    watch.nextPollAt = this.now() + watch.intervalMs;
    // A merged or closed PR changes no more (a reopen shows up when someone asks for its status).
    if (status.state !== 'open') this.watches.delete(watch.sessionId);
    return status;
  }

  private publish(watch: Watch, status: PullRequestStatus): void {
    watch.last = status;
    this.options.store.saveStatus(watch.sessionId, status);
    this.options.onChanged(watch.sessionId, status);
  }

  private async fetch(watch: Watch, link: PullRequestLink): Promise<PullRequestStatus> {
    const client = await this.options.clientFor(link);
    const { parts, etags } = watch;
    const take = <T>(key: string, answer: Conditional<T>, previous: T | undefined): T => {
      if (answer.isModified) {
        if (answer.etag) etags.set(key, answer.etag);
        else etags.delete(key);
        return answer.data;
      }
      if (previous === undefined) throw new Error(`GitHub answered 304 for ${key} without an earlier answer`);
      return previous;
    };
    const etagFor = (key: string, previous: unknown) => (previous === undefined ? undefined : etags.get(key));

    parts.pull = take('pull', await client.getPull(link.number, etagFor('pull', parts.pull)), parts.pull);
    const sha = parts.pull.head.sha;
    // Checks belong to a commit: a new head starts from scratch (and the old ETags are dropped).
    if (parts.checkRuns !== undefined && etags.get('head') !== sha) {
      parts.checkRuns = undefined;
      parts.combinedStatus = undefined;
    }
    etags.set('head', sha);
    parts.reviewComments = take(
      'reviewComments',
      await client.reviewComments(link.number, etagFor('reviewComments', parts.reviewComments)),
      parts.reviewComments,
    );
    parts.reviews = take(
      'reviews',
      await client.reviews(link.number, etagFor('reviews', parts.reviews)),
      parts.reviews,
    );
    parts.issueComments = take(
      'issueComments',
      await client.issueComments(link.number, etagFor('issueComments', parts.issueComments)),
      parts.issueComments,
    );
    parts.checkRuns = take(
      'checkRuns',
      await client.checkRuns(sha, etagFor('checkRuns', parts.checkRuns)),
      parts.checkRuns,
    );
    parts.combinedStatus = take(
      'combinedStatus',
      await client.combinedStatus(sha, etagFor('combinedStatus', parts.combinedStatus)),
      parts.combinedStatus,
    );
    return toPullRequestStatus(parts as PullRequestParts, this.now(), null);
  }

  private schedule(): void {
    if (!this.options.isAutomatic || this.isDisposed || this.ticking) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let next = Number.POSITIVE_INFINITY;
    for (const watch of this.watches.values()) next = Math.min(next, watch.nextPollAt);
    if (next === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.tick().catch((error: unknown) =>
          this.options.logger.warn(`pull request polling failed: ${(error as Error).message}`),
        );
      },
      Math.max(1000, next - this.now()),
    );
    this.timer.unref();
  }
}

function sameStatus(a: PullRequestStatus, b: PullRequestStatus): boolean {
  return JSON.stringify({ ...a, fetchedAt: 0 }) === JSON.stringify({ ...b, fetchedAt: 0 });
}
