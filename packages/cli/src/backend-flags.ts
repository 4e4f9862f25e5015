/**
 * Node flags the launcher starts the backend with. The backend is long-lived and mostly idle, so
 * memory matters more than allocation throughput: V8's young generation may otherwise grow to
 * 16 MiB per semi-space after a burst (creating sessions, a replay) and stay resident. 1 MiB keeps
 * it small; the hub's garbage dies young, so the extra scavenges are cheap (bench/hub-latency.mjs
 * runs its backend with these flags too). One V8 platform thread instead of four (background GC
 * and compilation still happen off the main thread) saves 3–4 MiB of thread stacks and arenas.
 */
export const BACKEND_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--v8-pool-size=1'];
