// The ChatML backend for benchmarks that need their own runner: startServer in its own process
// (fixtures/server-child.mjs), started with the launcher's node flags, as users run it, plus
// BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") for digging into a result.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKEND_NODE_FLAGS } from '@chatml/cli';
import { apiClient, Child } from './util.mjs';

const SERVER_CHILD = fileURLToPath(new URL('../fixtures/server-child.mjs', import.meta.url));

/**
 * Start the backend with its data dir (`chatml-home`) and the runners' HOME (`user-home`) under
 * `dir`; `serverOptions` are startServer's (runnerMainPath, maxConcurrentTurns, …). Resolves once it
 * listens. The caller stops it (`server.stop()` closes its stdin: it prints its diagnostics and exits).
 */
export async function startServerChild(dir, serverOptions) {
  const home = join(dir, 'chatml-home');
  const userHome = join(dir, 'user-home');
  mkdirSync(userHome, { recursive: true });
  const options = { home, port: 0, env: { PATH: process.env.PATH, HOME: userHome }, ...serverOptions };
  const server = new Child(process.execPath, [
    ...(process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? BACKEND_NODE_FLAGS),
    ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    SERVER_CHILD,
    JSON.stringify(options),
  ]);
  const { port, token, pid } = JSON.parse(await server.waitForLine((line) => line.startsWith('{')));
  return { server, home, port, token, pid, api: apiClient(`http://127.0.0.1:${port}`, token) };
}
