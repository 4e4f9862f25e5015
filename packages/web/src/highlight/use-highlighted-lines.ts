import { useEffect, useMemo, useState } from 'react';
import { HighlightCancelled, highlightLines } from './highlighter';
import type { HighlightedLine } from './types';

/** Above this many lines a side stays plain: tokenizing would run for many seconds for little gain. */
const MAX_LINES = 60_000;
/** Re-render with partial results at most this often while a long text is being tokenized. */
const PROGRESS_INTERVAL_MS = 120;

/** Finished results by language and text, so a refreshed diff whose file did not change keeps its colours. */
const finished = new Map<string, HighlightedLine[]>();
const FINISHED_MAX = 16;

function remember(key: string, lines: HighlightedLine[]): void {
  finished.delete(key);
  finished.set(key, lines);
  for (const oldest of finished.keys()) {
    if (finished.size <= FINISHED_MAX) break;
    finished.delete(oldest);
  }
}

/**
 * Tokens for `lines` in `language`, filled in progressively from the top (an empty or partial
 * array until then; a line without tokens shows plain). Work happens in frame-sized slices.
 */
export function useHighlightedLines(
  lines: readonly string[],
  language: string | undefined,
): HighlightedLine[] {
  const isEnabled = language !== undefined && lines.length > 0 && lines.length <= MAX_LINES;
  // Joined once per text (not per render: the viewer re-renders on every scroll step).
  const key = useMemo(
    () => (isEnabled ? `${language}\u0000${lines.join('\n')}` : ''),
    [isEnabled, language, lines],
  );
  const [state, setState] = useState<{ key: string; lines: HighlightedLine[] }>({ key: '', lines: [] });
  const known = isEnabled ? finished.get(key) : undefined;

  useEffect(() => {
    if (!isEnabled || known || language === undefined) return;
    const abort = new AbortController();
    let lastProgress = 0;
    highlightLines(lines, language, {
      signal: abort.signal,
      onProgress: (done) => {
        const now = performance.now();
        if (now - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = now;
        // A copy: the job keeps filling its own array, and React needs a new value to re-render.
        setState({ key, lines: done.slice() });
      },
    }).then(
      (done) => {
        remember(key, done);
        setState({ key, lines: done });
      },
      (error: unknown) => {
        if (!(error instanceof HighlightCancelled)) console.warn('highlighting failed', error);
      },
    );
    return () => abort.abort();
  }, [key, isEnabled, known, lines, language]);

  if (known) return known;
  return state.key === key ? state.lines : [];
}
