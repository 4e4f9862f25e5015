import type { GrammarState } from 'shiki/core';
import { prepare, tokenizeSync } from './engine';
import type { PackedLines } from './types';

/** Work per slice before yielding, so cancellations (and, on the page, frames) get their turn. */
const SLICE_BUDGET_MS = 8;

const yieldNow = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Jobs start no new slice before this time (`performance.now()` of this thread). */
let heldUntil = 0;

/**
 * Pauses every job for `ms` from now (extending a pause already running). The page asks for it
 * while the user scrolls a diff: on a machine with few cores the tokenizer's thread otherwise
 * competes with the page's own for the CPU in exactly the frames that must be quick.
 */
export function holdJobs(ms: number): void {
  heldUntil = Math.max(heldUntil, performance.now() + ms);
}

/**
 * Tokenizes `lines` slice by slice, carrying the grammar state from one slice to the next (so the
 * result equals one pass), reporting each slice. Stops quietly when `isCancelled()` turns true.
 */
export async function runTokenizeJob(
  lines: readonly string[],
  language: string,
  onSlice: (from: number, count: number, packed: PackedLines) => void,
  isCancelled: () => boolean,
): Promise<void> {
  await prepare(language);
  let state: GrammarState | undefined;
  let from = 0;
  let sliceSize = 20;
  while (from < lines.length && !isCancelled()) {
    const started = performance.now();
    const chunk = tokenizeSync(lines.slice(from, from + sliceSize), language, state);
    const elapsed = performance.now() - started;
    state = chunk.state;
    onSlice(from, chunk.count, chunk.packed);
    from += chunk.count;
    const perLine = elapsed / Math.max(1, chunk.count);
    sliceSize = Math.max(5, Math.min(1000, Math.floor(SLICE_BUDGET_MS / Math.max(perLine, 0.005))));
    await yieldNow();
    while (!isCancelled() && performance.now() < heldUntil) await sleep(heldUntil - performance.now());
  }
}
