import { PROTOCOL_VERSION, type ReadyLine } from '@chatml/protocol';
import { AppPaths, createLogger, defaultChatmlHome, startServer } from '@chatml/server';
import { EXIT_ALREADY_RUNNING } from '../exit-codes.js';
import { InstanceLock } from '../instance-lock.js';

export interface ServeOptions {
  port: string;
  home?: string;
  demoModel?: boolean;
  supervised?: boolean;
  preferPort?: boolean;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/**
 * `chatml serve`: the backend in the foreground. Prints exactly one JSON ready line on stdout (the
 * launcher and scripts wait for it); logs go to stderr. SIGINT/SIGTERM shut down cleanly, stopping
 * every runner; under a supervisor, a closed stdin means the launcher is gone, so we go too.
 */
export async function serve(options: ServeOptions): Promise<void> {
  const home = options.home ?? defaultChatmlHome();
  const paths = new AppPaths(home);
  const logger = createLogger({ level: options.logLevel ?? 'info' });
  const port = Number.parseInt(options.port, 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0–65535, not ${options.port}.`);

  const { mkdirSync } = await import('node:fs');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const lock = InstanceLock.acquire(paths.lockFile);
  if (!(lock instanceof InstanceLock)) {
    console.error(
      `chatml: ChatML is already running for ${home} (pid ${lock.heldBy}). Use \`chatml status\` or \`chatml stop\`.`,
    );
    process.exit(EXIT_ALREADY_RUNNING);
  }
  // The launcher keeps one token across backend restarts so an open UI stays signed in. Taken out
  // of our environment at once so nothing we spawn inherits it.
  const launchToken = process.env.CHATML_LAUNCH_TOKEN;
  delete process.env.CHATML_LAUNCH_TOKEN;
  if (launchToken !== undefined && launchToken.length < 32)
    throw new Error('CHATML_LAUNCH_TOKEN is too short.');

  let demo: { url: string; close(): Promise<void> } | undefined;
  try {
    if (options.demoModel) {
      // The demo model is the testkit's scripted fake API, loaded only when asked for.
      const { FakeAnthropicServer, demoHandler } = await import('@chatml/testkit/fake-anthropic');
      demo = await FakeAnthropicServer.start({ handler: demoHandler(), recordRequests: false });
      logger.warn('Using the OFFLINE DEMO MODEL: replies are scripted, not from Claude.');
    }
    const env = { ...process.env };
    if (demo) env.CLAUDE_CODE_MAX_RETRIES = '1';
    const server = await startServer({
      home,
      port,
      isPortAPreference: options.preferPort ?? false,
      token: launchToken,
      env,
      logger,
      writeServerInfo: true,
      isDemoModel: Boolean(demo),
      modelEndpoint: demo ? { baseUrl: demo.url, apiKey: 'chatml-demo-model' } : undefined,
    });
    const ready: ReadyLine = { chatml: 'ready', port: server.port, pid: process.pid, url: server.baseUrl };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
    logger.info(`backend ready on ${server.baseUrl} (protocol ${PROTOCOL_VERSION}, data in ${home})`);

    let isShuttingDown = false;
    const shutdown = async (why: string) => {
      if (isShuttingDown) return;
      isShuttingDown = true;
      logger.info(`shutting down (${why})`);
      const forced = setTimeout(() => process.exit(1), 15_000);
      forced.unref();
      await server.close();
      await demo?.close();
      lock.release();
      process.exit(0);
    };
    process.on('unhandledRejection', (reason) => {
      logger.error(`unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`);
    });
    process.on('uncaughtException', (error) => {
      // State may be inconsistent now: log, then exit so the supervisor restarts a clean backend
      // (recovery closes any turn this cut short).
      logger.error(`uncaught exception: ${error.stack}`);
      process.exit(70);
    });
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    if (options.supervised) {
      process.stdin.on('end', () => void shutdown('launcher went away'));
      process.stdin.on('error', () => void shutdown('launcher went away'));
      process.stdin.resume();
    }
  } catch (error) {
    await demo?.close();
    lock.release();
    throw error;
  }
}
