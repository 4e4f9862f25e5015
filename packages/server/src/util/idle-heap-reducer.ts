import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

export interface IdleHeapReducerOptions {
  /** How often the event loop's utilization and the heap are sampled. */
  sampleMs?: number;
  /** Samples in a row under `quietUtilization` after which the process counts as idle. */
  quietSamples?: number;
  quietUtilization?: number;
  /** How far the committed heap must be above its lowest point for a collection to be worth it. */
  minGrowthBytes?: number;
  /** Never collect more often than this. */
  minSpacingMs?: number;
  /** Default: `FULL_COLLECTIONS` full collections through `gc` (needs `--expose-gc`; else nothing). */
  collect?: () => void;
  /**
   * Also run when the reducer collects, with or without `gc`: gives native memory back (the backend
   * passes SQLite's `shrink_memory`; its page cache otherwise grew ~0.5 MiB per 10 streamed sessions).
   */
  release?: () => void;
  /** Default: V8's committed heap (`total_heap_size`). */
  heapBytes?: () => number;
  /** Event-loop utilization (0–1) since the previous call. */
  utilization?: () => number;
  now?: () => number;
}

type GcFunction = () => void;

/** The `gc` that `--expose-gc` installs, if the process was started with it. */
export function exposedGc(): GcFunction | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as GcFunction) : undefined;
}

/**
 * Forced collections (what `gc()` runs) also drop the bytecode of functions that are not running,
 * and that code — start-up, creating sessions, a replay — is most of what a burst leaves in the
 * heap (measured after creating twenty sessions: 13.3 → 9.0 MiB used). The first collection frees
 * it; the next two give the emptied pages back (RSS 66.6 → 62.5 MiB at once; with one collection
 * nothing came back until the memory reducer it armed ran ~8 s later). Plain `gc()` on purpose:
 * `gc({type: 'major'})` takes another path in V8 that keeps the bytecode.
 */
export const FULL_COLLECTIONS = 3;

/** `count` full collections, each in its own macrotask so requests arriving meanwhile are not held up. */
function fullCollections(gc: GcFunction, count: number): () => void {
  return () => {
    let left = count;
    const next = () => {
      gc();
      left -= 1;
      if (left > 0) setImmediate(next);
    };
    next();
  };
}

function loopUtilization(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const delta = performance.eventLoopUtilization(last);
    last = performance.eventLoopUtilization();
    return delta.utilization;
  };
}

/**
 * Gives memory back once a burst of work is over. V8 returns heap pages to the OS when its memory
 * reducer runs, which only a full (mark-compact) collection arms, and drops unused bytecode only
 * after several full collections. A burst the young generation absorbed (creating twenty sessions,
 * a replay, a streaming spurt) may cause none, so what it left stays resident — measured: 66 MiB
 * for as long as we watched where 60 MiB would do. After work, once the loop has been quiet for a
 * few seconds and the heap is at least `minGrowthBytes` above its low-water mark, this runs a few
 * full collections (~15 ms each, while nothing else is going on). At most once per quiet spell,
 * never while busy. The mark restarts from the heap as it is after a collection, so a backend whose
 * live data really grew (more sessions) is not collected again and again for the same growth.
 */
export class IdleHeapReducer {
  private readonly options: Required<Omit<IdleHeapReducerOptions, 'collect' | 'release'>> &
    Pick<IdleHeapReducerOptions, 'collect' | 'release'>;
  private timer: NodeJS.Timeout | undefined;
  private quietCount = 0;
  private wasBusy = false;
  private lowWater: number;
  private lastCollectAt = Number.NEGATIVE_INFINITY;
  /** Collections run so far (diagnostics and tests). */
  collections = 0;

  constructor(options: IdleHeapReducerOptions = {}) {
    const gc = exposedGc();
    this.options = {
      sampleMs: 1000,
      quietSamples: 5,
      quietUtilization: 0.02,
      minGrowthBytes: 1024 * 1024,
      minSpacingMs: 10_000,
      heapBytes: () => getHeapStatistics().total_heap_size,
      utilization: loopUtilization(),
      now: () => performance.now(),
      collect: gc ? fullCollections(gc, FULL_COLLECTIONS) : undefined,
      ...options,
    };
    this.lowWater = this.options.heapBytes();
  }

  /** True when there is something to do: collect (the process has `gc`) or release native memory. */
  get isEnabled(): boolean {
    return this.options.collect !== undefined || this.options.release !== undefined;
  }

  start(): void {
    if (this.timer || !this.isEnabled) return;
    this.timer = setInterval(() => this.sample(), this.options.sampleMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One sample; the timer calls this every `sampleMs`. */
  sample(): void {
    const { heapBytes, minGrowthBytes, minSpacingMs, now, quietSamples, quietUtilization } = this.options;
    const heap = heapBytes();
    this.lowWater = Math.min(this.lowWater, heap);
    if (this.options.utilization() >= quietUtilization) {
      this.wasBusy = true;
      this.quietCount = 0;
      return;
    }
    this.quietCount += 1;
    if (!this.isEnabled || !this.wasBusy || this.quietCount < quietSamples) return;
    if (heap < this.lowWater + minGrowthBytes || now() - this.lastCollectAt < minSpacingMs) return;
    this.wasBusy = false;
    this.lastCollectAt = now();
    this.collections += 1;
    this.options.collect?.();
    this.options.release?.();
    // The next sample sets the mark afresh (and the memory reducer's release lowers it further).
    this.lowWater = Number.POSITIVE_INFINITY;
  }
}
