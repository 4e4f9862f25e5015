import type { DiffStats } from '@chatml/protocol';
import type { Logger } from '../logger.js';
import { measureDiffStats } from './diff-stats.js';

export interface DiffStatsTarget {
  sessionId: string;
  worktreePath: string;
  baseBranch: string;
}

type Measure = (options: {
  worktreePath: string;
  baseBranch: string;
  signal: AbortSignal;
}) => Promise<DiffStats>;

/**
 * Keeps each session's last measured DiffStats for the session list. Measuring runs git over the
 * whole worktree, so it happens only when asked (a turn ended, a list showed a session not yet
 * measured) — never per streamed delta — one measurement at a time for the whole backend, and a
 * session asked for again while it waits is measured once. `onMeasured` fires when a value changed.
 */
export class DiffStatsTracker {
  private readonly cache = new Map<string, DiffStats>();
  private readonly waiting = new Map<string, DiffStatsTarget>();
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly options: {
      logger: Logger;
      onMeasured(sessionId: string): void;
      measure?: Measure;
    },
  ) {}

  get(sessionId: string): DiffStats | null {
    return this.cache.get(sessionId) ?? null;
  }

  /** Measure a session soon (again); cheap to call often. */
  refresh(target: DiffStatsTarget): void {
    if (this.abort.signal.aborted) return;
    this.waiting.set(target.sessionId, target);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Measure only if this session has never been measured (a list is showing it). */
  ensure(target: DiffStatsTarget): void {
    if (!this.cache.has(target.sessionId) && !this.waiting.has(target.sessionId)) this.refresh(target);
  }

  forget(sessionId: string): void {
    this.waiting.delete(sessionId);
  }

  /** Stop measuring (backend shutdown): the git in flight is killed and awaited. */
  async dispose(): Promise<void> {
    this.abort.abort(new Error('ChatML is shutting down.'));
    this.waiting.clear();
    await this.running;
  }

  private async drain(): Promise<void> {
    const measure = this.options.measure ?? measureDiffStats;
    for (let next = this.takeNext(); next; next = this.takeNext()) {
      try {
        const stats = await measure({ ...next, signal: this.abort.signal });
        const known = this.cache.get(next.sessionId);
        this.cache.set(next.sessionId, stats);
        const isChanged =
          !known ||
          known.files !== stats.files ||
          known.additions !== stats.additions ||
          known.deletions !== stats.deletions;
        if (isChanged && !this.abort.signal.aborted) this.options.onMeasured(next.sessionId);
      } catch (error) {
        // Expected now and then (the worktree was archived meanwhile, shutdown): keep the last value.
        this.options.logger.debug(`diff stats of ${next.sessionId}: ${(error as Error).message}`);
      }
    }
  }

  private takeNext(): DiffStatsTarget | undefined {
    if (this.abort.signal.aborted) return undefined;
    const first = this.waiting.values().next();
    if (first.done) return undefined;
    this.waiting.delete(first.value.sessionId);
    return first.value;
  }
}
