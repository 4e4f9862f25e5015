import { AppPaths, defaultChatmlHome } from '@chatml/server';
import { isAlive } from '../instance-lock.js';
import { checkHealth, readServerInfo } from '../server-info.js';

/** `chatml status`: is a backend running for this data dir, and is it healthy? Exit 0 if so. */
export async function status(options: { home?: string; json?: boolean }): Promise<void> {
  const home = options.home ?? defaultChatmlHome();
  const info = readServerInfo(new AppPaths(home).serverInfo);
  const health = info ? await checkHealth(info.port, info.token) : undefined;
  const result = {
    home,
    running: Boolean(health),
    port: info?.port ?? null,
    pid: info?.pid ?? null,
    version: health?.version ?? null,
  };
  if (options.json) console.log(JSON.stringify(result));
  else if (health)
    console.log(`ChatML ${health.version} is running for ${home} on port ${info?.port} (pid ${info?.pid}).`);
  else console.log(`ChatML is not running for ${home}.`);
  if (!health) process.exitCode = 1;
}

/**
 * `chatml stop`: ask the backend recorded in server.json to shut down. Its pid is only signalled
 * after it proved itself with the token, so a recycled pid is never hit (nothing is killed by name
 * or by port).
 */
export async function stop(options: { home?: string }): Promise<void> {
  const home = options.home ?? defaultChatmlHome();
  const info = readServerInfo(new AppPaths(home).serverInfo);
  if (!info || !(await checkHealth(info.port, info.token))) {
    console.log(`ChatML is not running for ${home}.`);
    return;
  }
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (isAlive(info.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isAlive(info.pid)) {
    console.error(`ChatML (pid ${info.pid}) did not stop within 15 s.`);
    process.exitCode = 1;
  } else {
    console.log('ChatML stopped.');
  }
}
