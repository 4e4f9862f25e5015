import { describe, expect, it } from 'vitest';
import { chunk, formatSse } from './sse.js';

describe('chunk', () => {
  it('splits by code points, never inside a surrogate pair', () => {
    expect(chunk('a😀b😀', 2)).toEqual(['a😀', 'b😀']);
    expect(chunk('abc', undefined)).toEqual(['abc']);
    expect(chunk('', 3)).toEqual([]);
  });
});

describe('formatSse', () => {
  it('writes one event as event and data lines followed by a blank line', () => {
    expect(formatSse({ event: 'message_stop', data: { type: 'message_stop' } })).toBe(
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
  });
});
