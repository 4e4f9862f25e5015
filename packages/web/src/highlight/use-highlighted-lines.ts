import { useEffect, useMemo, useState } from 'react';
import type { HighlightedText } from './highlighted-text';
import { HighlightCancelled, highlightLines } from './highlighter';

/** Above this many lines a side stays plain: tokenizing would run for many seconds for little gain. */
const MAX_LINES = 60_000;
/** Re-render with partial results at most this often while a long text is being tokenized. */
const PROGRESS_INTERVAL_MS = 120;

/** Finished results by language and text, so a refreshed diff whose file did not change keeps its colours. */
const finished = new Map<string, HighlightedText>();
const FINISHED_MAX = 16;

function remember(key: string, lines: HighlightedText): void {
  finished.delete(key);
  finished.set(key, lines);
  for (const oldest of finished.keys()) {
    if (finished.size <= FINISHED_MAX) break;
    finished.delete(oldest);
  }
}

/**
 * Tokens for `lines` in `language`, filled in progressively from the top (undefined or partial
 * until then; a line without tokens shows plain). The caller re-renders as more lines get tokens.
 */
export function useHighlightedLines(
  lines: readonly string[],
  language: string | undefined,
): HighlightedText | undefined {
  const isEnabled = language !== undefined && lines.length > 0 && lines.length <= MAX_LINES;
  // Joined once per text (not per render: the viewer re-renders on every scroll step).
  const key = useMemo(
    () => (isEnabled ? `${language}\u0000${lines.join('\n')}` : ''),
    [isEnabled, language, lines],
  );
  // `lineCount` changes with each progress report; the text itself is filled in place.
  const [state, setState] = useState<{ key: string; text?: HighlightedText; lineCount: number }>({
    key: '',
    lineCount: 0,
  });
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
        setState({ key, text: done, lineCount: done.lineCount });
      },
    }).then(
      (done) => {
        remember(key, done);
        setState({ key, text: done, lineCount: done.lineCount });
      },
      (error: unknown) => {
        if (!(error instanceof HighlightCancelled)) console.warn('highlighting failed', error);
      },
    );
    return () => abort.abort();
  }, [key, isEnabled, known, lines, language]);

  if (known) return known;
  return state.key === key ? state.text : undefined;
}
