import type { HighlightedLine } from './types';

/** One line of code: coloured tokens when highlighting has reached it, the plain text until then. */
export function CodeLine({ text, tokens }: { text: string; tokens: HighlightedLine | undefined }) {
  if (!tokens) return <>{text}</>;
  return (
    <>
      {tokens.map((token, index) =>
        token.className ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: tokens of a line never reorder
          <span key={index} className={token.className}>
            {token.content}
          </span>
        ) : (
          token.content
        ),
      )}
    </>
  );
}
