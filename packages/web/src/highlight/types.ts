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
 * How tokens travel from the tokenizer (often a worker) to the page: for a run of lines, one flat
 * list of [length, colour] pairs over every line's text, line k's pairs being
 * `data[offsets[k]] … data[offsets[k + 1] - 1]`. Two typed arrays per run, so the worker can
 * transfer them instead of copying, and the page holds a 20,000-line file's colours without
 * creating an object per token until a line is shown.
 */
export interface PackedLines {
  data: Uint32Array;
  /** One more entry than lines. */
  offsets: Uint32Array;
}

export function packLines(lines: readonly (readonly number[])[]): PackedLines {
  const offsets = new Uint32Array(lines.length + 1);
  for (const [index, line] of lines.entries()) offsets[index + 1] = (offsets[index] ?? 0) + line.length;
  const data = new Uint32Array(offsets[lines.length] ?? 0);
  for (const [index, line] of lines.entries()) data.set(line, offsets[index]);
  return { data, offsets };
}

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

/** Tokens of line `line` of `packed`, whose text is `text`. */
export function unpackLine(text: string, packed: PackedLines, line: number): HighlightedLine {
  // Fewer elements per line: neighbours of one colour merge, and default-coloured text stays a
  // plain text node (the viewer creates and drops whole screens of lines while scrolling fast).
  const tokens: HighlightedLine = [];
  let offset = 0;
  const end = packed.offsets[line + 1] ?? 0;
  for (let index = packed.offsets[line] ?? end; index < end; index += 2) {
    const length = packed.data[index] ?? 0;
    const color = packed.data[index + 1] ?? 0;
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
