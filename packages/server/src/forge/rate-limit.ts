/**
 * What GitHub said about its rate limit, per API base URL (github.com and each Enterprise server
 * count separately). Every response updates it; when the limit is used up (`x-ratelimit-remaining:
 * 0`, or a 403/429 that says so or carries `retry-after`), calls to that API pause until the reset.
 */
export class RateLimits {
  private readonly pausedUntil = new Map<string, number>();
  private readonly remaining = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Record a response's headers (any status). */
  observe(apiBaseUrl: string, status: number, headers: Record<string, string | number | undefined>): void {
    // GraphQL and search have limits of their own; only the REST ("core") limit gates REST calls.
    const resource = headers['x-ratelimit-resource'];
    if (resource !== undefined && resource !== 'core') return;
    const remaining = toNumber(headers['x-ratelimit-remaining']);
    const resetSeconds = toNumber(headers['x-ratelimit-reset']);
    const retryAfter = toNumber(headers['retry-after']);
    if (remaining !== undefined) this.remaining.set(apiBaseUrl, remaining);
    const isLimited = status === 429 || (status === 403 && (remaining === 0 || retryAfter !== undefined));
    if (retryAfter !== undefined && isLimited) {
      this.pause(apiBaseUrl, this.now() + retryAfter * 1000);
    } else if (remaining === 0 && resetSeconds !== undefined) {
      this.pause(apiBaseUrl, resetSeconds * 1000);
    } else if (status === 429) {
      // Limited without saying until when: GitHub's advice is to wait at least a minute.
      this.pause(apiBaseUrl, this.now() + 60_000);
    }
  }

  /** When calls to this API may resume (ms since the epoch), or null if they may go now. */
  pausedUntilFor(apiBaseUrl: string): number | null {
    const until = this.pausedUntil.get(apiBaseUrl);
    if (until === undefined) return null;
    if (until <= this.now()) {
      this.pausedUntil.delete(apiBaseUrl);
      return null;
    }
    return until;
  }

  remainingFor(apiBaseUrl: string): number | undefined {
    return this.remaining.get(apiBaseUrl);
  }

  private pause(apiBaseUrl: string, until: number): void {
    this.pausedUntil.set(apiBaseUrl, Math.max(until, this.pausedUntil.get(apiBaseUrl) ?? 0));
  }
}

function toNumber(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
