import { describe, expect, it } from 'vitest';
import { HighlightedText } from './highlighted-text';
import { packLines } from './types';

// Colour 5 is hl-keyword, 3 hl-string, 1 the default foreground (left plain).
const KEYWORD = 5;
const STRING = 3;

describe('HighlightedText', () => {
  it('has no tokens for a line until its run arrives', () => {
    const text = new HighlightedText(['const a = "x";', 'let b;']);
    text.add(1, 1, packLines([[3, KEYWORD, 3, 1]]));
    expect(text.get(0)).toBeUndefined();
    expect(text.get(1)).toEqual([
      { content: 'let', className: 'hl hl-keyword' },
      { content: ' b;', className: undefined },
    ]);
    expect(text.lineCount).toBe(1);
  });

  it('unpacks a line once and returns the same tokens after', () => {
    const text = new HighlightedText(['const a = "x";']);
    text.add(0, 1, packLines([[5, KEYWORD, 5, 1, 3, STRING, 1, 1]]));
    const tokens = text.get(0);
    expect(tokens).toEqual([
      { content: 'const', className: 'hl hl-keyword' },
      { content: ' a = ', className: undefined },
      { content: '"x"', className: 'hl hl-string' },
      { content: ';', className: undefined },
    ]);
    expect(text.get(0)).toBe(tokens);
  });

  it('reads each line of a run from its own offsets', () => {
    const text = new HighlightedText(['a', 'if', '', 'x']);
    text.add(
      0,
      2,
      packLines([
        [1, 1],
        [2, KEYWORD],
      ]),
    );
    text.add(2, 2, packLines([[], [1, STRING]]));
    expect(text.toArray()).toEqual([
      [{ content: 'a', className: undefined }],
      [{ content: 'if', className: 'hl hl-keyword' }],
      [],
      [{ content: 'x', className: 'hl hl-string' }],
    ]);
    expect(text.lineCount).toBe(4);
  });
});
