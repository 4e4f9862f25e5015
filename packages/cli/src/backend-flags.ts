import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Node flags the launcher starts the backend with. The backend is long-lived and mostly idle, so
 * memory matters more than peak throughput (bench/idle-rss.mjs; bench/hub-latency.mjs runs its
 * backend with these flags too):
 * - a 1 MiB young generation: V8's may otherwise grow to 16 MiB per semi-space after a burst
 *   (creating sessions, a replay) and stay resident; the hub's garbage dies young, so the extra
 *   scavenges are cheap;
 * - one V8 platform thread instead of four (background compilation still happens off the main
 *   thread): 3–4 MiB less of thread stacks and arenas;
 * - garbage collection on the main thread only: on a busy machine a parallel scavenge waits for its
 *   helper thread to get a CPU, and those waits were the long GC pauses in the hub's tail (p99 of
 *   GC pauses 31 → 13 ms, hub p99 overhead +159 → +29 and +56 ms under bench/hub-latency.mjs);
 * - `gc` exposed, so the backend can run a few forced collections once a burst of work is over:
 *   they drop the bytecode the burst compiled and give its pages back, which V8 on its own does
 *   late or not at all (@chatml/server's util/idle-heap-reducer.ts; with 20 idle sessions ~62
 *   instead of ~66 MiB under bench/idle-rss.mjs);
 * (`--optimize-for-size` was tried: ~2 MiB less with 20 idle sessions, but the hub's event loop
 * went from ~65% to ~80% busy under bench/hub-latency.mjs's load and its p50 doubled.)
 */
export const BACKEND_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--v8-pool-size=1',
  '--single-threaded-gc',
  '--expose-gc',
];

/**
 * The script the launcher starts the backend with: the checked-in `bin/chatml.js`, which runs the
 * bundle. Found through the package rather than relative to this file, because this code runs from
 * the bundle as well as from tsc's output (tests import it), at different depths.
 */
export function chatmlBinPath(): string {
  const manifest = createRequire(import.meta.url).resolve('@chatml/cli/package.json');
  return join(dirname(manifest), 'bin', 'chatml.js');
}
