import type { GrammarState } from 'shiki/core';
import { prepare, tokenizeSync } from './engine';
import type { PackedLines } from './types';

/** Work per slice before yielding, so cancellations (and, on the page, frames) get their turn. */
const SLICE_BUDGET_MS = 8;

const yieldNow = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

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
  }
}
