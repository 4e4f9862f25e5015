/**
 * Runs every step, even after one throws, then throws the first error. For clean-up whose later
 * steps matter whatever happened to the earlier ones: when a full disk fails every event append,
 * a turn's agent slot must still be given back and the next message still started.
 */
export function runEvery(...steps: (() => void)[]): void {
  let failure: { error: unknown } | null = null;
  for (const step of steps) {
    try {
      step();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
