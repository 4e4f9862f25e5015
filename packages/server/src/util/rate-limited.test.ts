import { describe, expect, it } from 'vitest';
import { rateLimited } from './rate-limited.js';

describe('rateLimited', () => {
  it('reports the first at once, then at most once per interval with how many it held back', () => {
    let clock = 0;
    const reports: [string, number][] = [];
    const report = rateLimited<string>(
      1000,
      (value, skipped) => reports.push([value, skipped]),
      () => clock,
    );
    report('a');
    clock = 10;
    report('b');
    report('c');
    clock = 1010;
    report('d');
    clock = 5000;
    report('e');
    expect(reports).toEqual([
      ['a', 0],
      ['d', 2],
      ['e', 0],
    ]);
  });
});
