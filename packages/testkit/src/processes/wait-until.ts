/**
 * Wait for a fact (an event logged, a process gone) rather than for a time: polls `condition`
 * until it holds, and fails with `what` when it has not after `timeoutMs`.
 *
 * @example
 * await waitUntil(() => processGroupMembers(pid).length === 0, { what: 'the runner group to exit' });
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 25, what = 'a condition' } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
