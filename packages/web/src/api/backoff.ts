/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so many tabs
 * reconnecting after a backend restart do not arrive in lockstep, yet none retries too eagerly.
 * `attempt` counts from 1.
 */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number,
): number {
  const capped = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(capped / 2 + random() * (capped / 2));
}
