/**
 * `report`, at most once per `intervalMs`: a failure that repeats on every loop turn (a full disk)
 * is logged once every few seconds with how many of it were held back since, instead of thousands
 * of identical lines.
 */
export function rateLimited<T>(
  intervalMs: number,
  report: (value: T, skipped: number) => void,
  now: () => number = Date.now,
): (value: T) => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  let skipped = 0;
  return (value) => {
    const at = now();
    if (at - lastAt < intervalMs) {
      skipped += 1;
      return;
    }
    lastAt = at;
    report(value, skipped);
    skipped = 0;
  };
}
