import { HighlightedText } from './highlighted-text';
import type { WorkerRequest, WorkerResponse } from './protocol';
import type { HighlightedLine, PackedLines } from './types';

/**
 * Syntax highlighting that never blocks a frame. Tokenizing happens in a worker
 * (`highlight-worker.ts`, a chunk of its own with shiki and each grammar fetched on first use);
 * results come back slice by slice, so a long file shows colour from the top while the rest is
 * worked on. Where workers are unavailable (component tests) the same job runs on the page, in
 * slices that yield between them.
 */

export class HighlightCancelled extends Error {
  constructor() {
    super('highlighting cancelled');
  }
}

interface Job {
  text: HighlightedText;
  onSlice: () => void;
  resolve: () => void;
  reject: (error: Error) => void;
}

let worker: Worker | undefined;
let isWorkerBroken = false;
let nextJobId = 1;
const jobs = new Map<number, Job>();

function applySlice(job: Job, from: number, count: number, packed: PackedLines): void {
  job.text.add(from, count, packed);
  job.onSlice();
}

function getWorker(): Worker | undefined {
  if (isWorkerBroken || typeof Worker !== 'function' || import.meta.env.MODE === 'test') return undefined;
  if (worker) return worker;
  worker = new Worker(new URL('./highlight-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
    const message = event.data;
    const job = jobs.get(message.jobId);
    if (!job) return;
    if (message.type === 'tokens') applySlice(job, message.from, message.count, message.packed);
    else {
      jobs.delete(message.jobId);
      if (message.type === 'done') job.resolve();
      else job.reject(new Error(message.message));
    }
  };
  worker.onerror = (event) => {
    // The worker could not start or died: fail what it had, and tokenize on the page from now on.
    isWorkerBroken = true;
    worker = undefined;
    for (const [jobId, job] of jobs) {
      jobs.delete(jobId);
      job.reject(new Error(`highlighting worker failed: ${event.message}`));
    }
  };
  return worker;
}

function post(message: WorkerRequest): void {
  getWorker()?.postMessage(message);
}

/**
 * Pauses tokenizing for `ms` (see `holdJobs`), e.g. while the user scrolls a long diff: colours for
 * lines further down can wait, the frames cannot. Only the worker pauses; the on-page fallback
 * already yields between slices.
 */
export function holdHighlighting(ms: number): void {
  worker?.postMessage({ type: 'hold', ms } satisfies WorkerRequest);
}

/**
 * Tokenizes `lines` in `language` (a grammar id from `languages.ts`). `onProgress` is called as
 * slices arrive, with the result filled so far (lines from the top). Rejects with
 * `HighlightCancelled` on abort.
 */
export function highlightLines(
  lines: readonly string[],
  language: string,
  options: { signal?: AbortSignal; onProgress?: (done: HighlightedText) => void } = {},
): Promise<HighlightedText> {
  const { signal, onProgress } = options;
  if (signal?.aborted) return Promise.reject(new HighlightCancelled());
  return new Promise((resolve, reject) => {
    const done = new HighlightedText(lines);
    const jobId = nextJobId++;
    let isCancelled = false;
    const job: Job = {
      text: done,
      onSlice: () => onProgress?.(done),
      resolve: () => resolve(done),
      reject,
    };
    signal?.addEventListener(
      'abort',
      () => {
        isCancelled = true;
        if (jobs.delete(jobId)) post({ type: 'cancel', jobId });
        reject(new HighlightCancelled());
      },
      { once: true },
    );
    if (getWorker()) {
      jobs.set(jobId, job);
      post({ type: 'tokenize', jobId, language, lines: [...lines] });
      return;
    }
    void import('./tokenize-job')
      .then(({ runTokenizeJob }) =>
        runTokenizeJob(
          lines,
          language,
          (from, count, packed) => applySlice(job, from, count, packed),
          () => isCancelled,
        ),
      )
      .then(
        () => {
          if (!isCancelled) job.resolve();
        },
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
  });
}

// ---- a small cache for code blocks ---------------------------------------------------------------

/** Code blocks are remounted as the virtualised conversation scrolls; keep their colours. */
const cache = new Map<string, HighlightedLine[]>();
const CACHE_MAX_ENTRIES = 200;

function cacheKey(code: string, language: string): string {
  return `${language}\u0000${code}`;
}

export function cachedHighlight(code: string, language: string): HighlightedLine[] | undefined {
  const key = cacheKey(code, language);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
  }
  return hit;
}

/** Highlights a code block (cached by content). */
export async function highlightCode(
  code: string,
  language: string,
  signal?: AbortSignal,
): Promise<HighlightedLine[]> {
  const hit = cachedHighlight(code, language);
  if (hit) return hit;
  const lines = (await highlightLines(code.split('\n'), language, { signal })).toArray();
  cache.set(cacheKey(code, language), lines);
  for (const key of cache.keys()) {
    if (cache.size <= CACHE_MAX_ENTRIES) break;
    cache.delete(key);
  }
  return lines;
}
