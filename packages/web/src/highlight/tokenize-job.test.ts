import { afterEach, describe, expect, it, vi } from 'vitest';
import { holdJobs, runTokenizeJob } from './tokenize-job';

afterEach(() => {
  vi.useRealTimers();
});

describe('runTokenizeJob', () => {
  it('starts no new slice while held, and finishes the text once the hold is over', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    // More lines than the first slice takes (20), so the job needs slices after the first.
    const lines = Array.from({ length: 200 }, (_, index) => `const value${index} = ${index};`);
    const slices: { from: number; count: number }[] = [];
    holdJobs(60_000);
    const job = runTokenizeJob(
      lines,
      'typescript',
      (from, count) => slices.push({ from, count }),
      () => false,
    );
    await vi.waitUntil(() => slices.length > 0, { timeout: 30_000 });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(slices).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(31_000);
    await vi.runAllTimersAsync();
    await job;
    expect(slices.length).toBeGreaterThan(1);
    expect(slices.reduce((sum, slice) => sum + slice.count, 0)).toBe(lines.length);
  });
});
