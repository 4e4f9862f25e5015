import { describe, expect, it } from 'vitest';
import { RateLimits } from './rate-limit.js';

describe('RateLimits', () => {
  const api = 'https://api.github.com';

  it('pauses until the reset when remaining reaches 0, and resumes after it', () => {
    let now = 1_000_000;
    const limits = new RateLimits(() => now);
    limits.observe(api, 200, { 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '2000' });
    expect(limits.pausedUntilFor(api)).toBeNull();
    limits.observe(api, 200, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2000' });
    expect(limits.pausedUntilFor(api)).toBe(2_000_000);
    expect(limits.pausedUntilFor('https://ghe.example.com/api/v3')).toBeNull();
    now = 2_000_001;
    expect(limits.pausedUntilFor(api)).toBeNull();
  });

  it('honours retry-after on 403/429 (secondary limits), and a minute for a bare 429', () => {
    const now = 5_000;
    const limits = new RateLimits(() => now);
    limits.observe(api, 403, { 'retry-after': '30', 'x-ratelimit-remaining': '100' });
    expect(limits.pausedUntilFor(api)).toBe(35_000);
    const other = 'https://other/api/v3';
    limits.observe(other, 429, {});
    expect(limits.pausedUntilFor(other)).toBe(65_000);
  });

  it('does not pause for a 403 that is not about the rate limit', () => {
    const limits = new RateLimits(() => 0);
    limits.observe(api, 403, { 'x-ratelimit-remaining': '4000', 'x-ratelimit-reset': '99' });
    expect(limits.pausedUntilFor(api)).toBeNull();
  });

  it('ignores the limits of other resources (GraphQL, search)', () => {
    const limits = new RateLimits(() => 0);
    limits.observe(api, 200, {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '99',
      'x-ratelimit-resource': 'graphql',
    });
    expect(limits.pausedUntilFor(api)).toBeNull();
  });
});
