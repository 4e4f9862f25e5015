import type { GrammarState } from 'shiki/core';
import type { HighlightedLine } from './types';

/**
 * Syntax highlighting that never blocks a frame. The highlighter (shiki, in `engine.ts`) is loaded
 * on first use as a separate chunk, and text is tokenized in slices of whole lines that each take a
 * few milliseconds, yielding to the browser between slices; the grammar state is carried from one
 * slice to the next, so the result equals tokenizing the text in one go.
 */

type Engine = typeof import('./engine');

let engine: Promise<Engine> | undefined;

function loadEngine(): Promise<Engine> {
  engine ??= import('./engine');
  return engine;
}

/** Work per slice before yielding: well under a frame, so input and painting stay smooth. */
const SLICE_BUDGET_MS = 6;

function yieldToBrowser(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class HighlightCancelled extends Error {
  constructor() {
    super('highlighting cancelled');
  }
}

/**
 * Tokenizes `lines` in `language` (a grammar id from `languages.ts`). `onProgress` gets the lines
 * done so far after each slice, so a long file shows colour from the top while the rest is worked
 * on. Rejects with `HighlightCancelled` when `signal` aborts.
 */
export async function highlightLines(
  lines: readonly string[],
  language: string,
  options: { signal?: AbortSignal; onProgress?: (done: HighlightedLine[]) => void } = {},
): Promise<HighlightedLine[]> {
  const { signal, onProgress } = options;
  const { prepare, tokenizeSync } = await loadEngine();
  await prepare(language);
  const done: HighlightedLine[] = [];
  let state: GrammarState | undefined;
  let sliceSize = 50;
  let sliceStart = performance.now();
  while (done.length < lines.length) {
    if (signal?.aborted) throw new HighlightCancelled();
    const from = done.length;
    const started = performance.now();
    const chunk = tokenizeSync(lines.slice(from, from + sliceSize).join('\n'), language, state);
    const elapsed = performance.now() - started;
    for (const line of chunk.lines) done.push(line);
    state = chunk.state;
    // Aim each tokenize call at half the budget, within sane bounds.
    const perLine = elapsed / Math.max(1, chunk.lines.length);
    sliceSize = Math.max(5, Math.min(2000, Math.floor(SLICE_BUDGET_MS / 2 / Math.max(perLine, 0.001))));
    if (performance.now() - sliceStart >= SLICE_BUDGET_MS && done.length < lines.length) {
      onProgress?.(done.slice());
      await yieldToBrowser();
      sliceStart = performance.now();
    }
  }
  if (signal?.aborted) throw new HighlightCancelled();
  return done;
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
  const lines = await highlightLines(code.split('\n'), language, { signal });
  cache.set(cacheKey(code, language), lines);
  for (const key of cache.keys()) {
    if (cache.size <= CACHE_MAX_ENTRIES) break;
    cache.delete(key);
  }
  return lines;
}
