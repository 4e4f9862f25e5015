import { type ReactNode, useEffect, useState } from 'react';
import '../../highlight/highlight.css';
import { CodeLine } from '../../highlight/HighlightedLine';
import { cachedHighlight, HighlightCancelled, highlightCode } from '../../highlight/highlighter';
import { languageForFence } from '../../highlight/languages';
import type { HighlightedLine } from '../../highlight/types';

/**
 * While text streams, a block's code changes every frame; highlight only once it has been still for
 * this long, so a streaming answer costs no tokenizing per delta.
 */
const SETTLE_MS = 150;

interface Highlighted {
  code: string;
  language: string;
  lines: HighlightedLine[];
}

/**
 * Highlights `code` once it stops changing. Returns the last highlighted version, which may be for
 * an earlier (shorter) text while a block is still streaming.
 */
function useHighlighted(code: string, language: string | undefined): Highlighted | undefined {
  const [highlighted, setHighlighted] = useState<Highlighted>();
  const cached = language === undefined ? undefined : cachedHighlight(code, language);
  const isCurrent = highlighted?.code === code && highlighted.language === language;
  useEffect(() => {
    if (language === undefined || cached || isCurrent) return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      highlightCode(code, language, abort.signal).then(
        (lines) => setHighlighted({ code, language, lines }),
        (error: unknown) => {
          // Cancelled: the block changed or went away. Anything else: the block stays plain.
          if (!(error instanceof HighlightCancelled)) console.warn('highlighting failed', error);
        },
      );
    }, SETTLE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [code, language, cached, isCurrent]);
  if (language === undefined) return undefined;
  if (cached) return { code, language, lines: cached };
  return highlighted?.language === language ? highlighted : undefined;
}

/**
 * A fenced code block, plain at once and syntax-highlighted when the highlighter and the language's
 * grammar have loaded (each a lazy chunk). A block still streaming keeps the colours of the lines
 * it already had and shows the newer lines plain until it settles.
 */
export function CodeBlock({ code, language }: { code: string; language: string | undefined }) {
  const grammar = languageForFence(language);
  const highlighted = useHighlighted(code, grammar);
  const isHighlighted = highlighted?.code === code;
  let body: ReactNode = code;
  if (highlighted && (isHighlighted || code.startsWith(highlighted.code))) {
    const lines = code.split('\n');
    // The old text's last line may have grown since: only its complete lines keep their colours.
    const stable = isHighlighted ? lines.length : highlighted.lines.length - 1;
    body = lines.map((line, index) => (
      // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
      <span key={index}>
        <CodeLine text={line} tokens={index < stable ? highlighted.lines[index] : undefined} />
        {index < lines.length - 1 ? '\n' : ''}
      </span>
    ));
  }
  return (
    <pre className="code-block" data-language={language} data-highlighted={isHighlighted}>
      <code>{body}</code>
    </pre>
  );
}
