/**
 * One highlighted token: its text and its colour class (`hl-keyword`, `hl-string`, …; see
 * `highlight.css`), or none for plain text.
 */
export interface HighlightedToken {
  content: string;
  className: string | undefined;
}

export type HighlightedLine = HighlightedToken[];

/**
 * How tokens travel from the tokenizer (often a worker) to the page: per line, a flat list of
 * [length, colour] pairs over that line's text. Small to copy, and the text is not sent twice.
 */
export type PackedLine = number[];

/** Colour classes by index, as the css-variables theme names them (`var(--shiki-token-keyword)` → `keyword`). */
export const COLOR_CLASSES = [
  '',
  'hl-foreground',
  'hl-constant',
  'hl-string',
  'hl-comment',
  'hl-keyword',
  'hl-parameter',
  'hl-function',
  'hl-string-expression',
  'hl-punctuation',
  'hl-link',
  'hl-inserted',
  'hl-deleted',
  'hl-changed',
] as const;

export function unpackLine(text: string, packed: PackedLine): HighlightedLine {
  // Fewer elements per line: neighbours of one colour merge, and default-coloured text stays a
  // plain text node (the viewer creates and drops whole screens of lines while scrolling fast).
  const tokens: HighlightedLine = [];
  let offset = 0;
  for (let index = 0; index < packed.length; index += 2) {
    const length = packed[index] ?? 0;
    const color = packed[index + 1] ?? 0;
    const className = color > 1 ? `hl ${COLOR_CLASSES[color]}` : undefined;
    const content = text.slice(offset, offset + length);
    offset += length;
    const last = tokens[tokens.length - 1];
    if (last && last.className === className) last.content += content;
    else tokens.push({ content, className });
  }
  if (offset < text.length) tokens.push({ content: text.slice(offset), className: undefined });
  return tokens;
}
