import { type HighlightedLine, type PackedLines, unpackLine } from './types';

/**
 * A text's colours, filled in run by run as the tokenizer reports them. They stay packed until a
 * line is asked for; its tokens are then unpacked once and kept, so asking again (a row rendered
 * again) returns the same array and a memoised row can skip its work. A long diff thus creates
 * token objects only for the lines someone scrolls to, not for all 20,000 as they arrive.
 */
export class HighlightedText {
  private readonly runs: { from: number; packed: PackedLines }[] = [];
  /** Per line, 1 + the index of the run holding its tokens; 0 while it has none yet. */
  private readonly runOfLine: Uint32Array;
  private readonly unpacked = new Map<number, HighlightedLine>();
  /** Lines that have tokens so far; changes whenever a run arrives. */
  lineCount = 0;

  constructor(readonly lines: readonly string[]) {
    this.runOfLine = new Uint32Array(lines.length);
  }

  /** Tokens for lines [from, from + count). */
  add(from: number, count: number, packed: PackedLines): void {
    this.runs.push({ from, packed });
    const to = Math.min(from + count, this.lines.length);
    this.runOfLine.fill(this.runs.length, from, to);
    for (let line = from; line < to; line++) this.unpacked.delete(line);
    this.lineCount += Math.max(0, to - from);
  }

  /** The tokens of line `line` (0-based), or undefined until it has been tokenized. */
  get(line: number): HighlightedLine | undefined {
    const known = this.unpacked.get(line);
    if (known) return known;
    const run = this.runs[(this.runOfLine[line] ?? 0) - 1];
    if (!run) return undefined;
    const tokens = unpackLine(this.lines[line] ?? '', run.packed, line - run.from);
    this.unpacked.set(line, tokens);
    return tokens;
  }

  /** Every line's tokens (a sparse prefix while tokenizing); for short texts such as code blocks. */
  toArray(): HighlightedLine[] {
    const lines: HighlightedLine[] = [];
    for (let line = 0; line < this.lines.length; line++) {
      const tokens = this.get(line);
      if (tokens) lines[line] = tokens;
    }
    return lines;
  }
}
