import type { CSSProperties } from 'react';
import type { HighlightedLine } from './types';

/**
 * One line of code: coloured tokens when highlighting has reached it, the plain text until then.
 * Colours are shiki's CSS variables; `highlight.css` picks the light or dark one.
 */
export function CodeLine({ text, tokens }: { text: string; tokens: HighlightedLine | undefined }) {
  if (!tokens) return <>{text}</>;
  return (
    <>
      {tokens.map((token, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: tokens of a line never reorder
        <span key={index} className="hl" style={token.style as CSSProperties | undefined}>
          {token.content}
        </span>
      ))}
    </>
  );
}
