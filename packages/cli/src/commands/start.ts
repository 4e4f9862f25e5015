import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { AppPaths, defaultChatmlHome } from '@chatml/server';
import { BACKEND_NODE_FLAGS, chatmlBinPath } from '../backend-flags.js';
import { openBrowser } from '../open-browser.js';
import { checkHealth, readServerInfo } from '../server-info.js';
import { BackendSupervisor } from '../supervisor.js';

export interface StartOptions {
  port?: string;
  home?: string;
  open: boolean;
  demoModel?: boolean;
}

/**
 * `chatml start` (the default): one app per `$CHATML_HOME`. If a backend already runs there, just
 * open its UI; otherwise supervise a new one and open the UI when it is ready.
 */
export async function start(options: StartOptions): Promise<void> {
  const home = options.home ?? defaultChatmlHome();
  const paths = new AppPaths(home);
  // The data dir holds transcripts and the launch token: only its owner may enter it.
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const existing = readServerInfo(paths.serverInfo);
  if (existing && (await checkHealth(existing.port, existing.token))) {
    const url = `http://127.0.0.1:${existing.port}/#token=${existing.token}`;
    console.log(`ChatML is already running for ${home}.`);
    present(url, options.open);
    return;
  }

  const firstPort = options.port ?? String(preferredPort(home));
  const binPath = chatmlBinPath();
  const supervisor = new BackendSupervisor({
    // A restarted backend keeps the port (the app's origin) and, via the env, the token, so the
    // open UI reconnects on its own.
    args: (previousPort) => {
      const port = previousPort === undefined ? firstPort : String(previousPort);
      const args = [
        ...BACKEND_NODE_FLAGS,
        binPath,
        'serve',
        '--supervised',
        '--prefer-port',
        '--port',
        port,
        '--home',
        home,
      ];
      if (options.demoModel) args.push('--demo-model');
      return args;
    },
    env: { ...process.env, CHATML_LAUNCH_TOKEN: randomBytes(32).toString('base64url') },
    onGaveUp: () => process.exit(),
    onStopped: () => process.exit(0),
    logPath: `${paths.logs}/server.log`,
    readInfoToken: () => readServerInfo(paths.serverInfo)?.token,
    onLog: (message) => console.error(`[chatml] ${message}`),
    onReady: (ready, isRestart) => {
      const info = readServerInfo(paths.serverInfo);
      if (!info) return;
      if (isRestart) {
        console.error(`[chatml] backend is back on port ${ready.port}.`);
        return;
      }
      if (info.demoModel)
        console.log('ChatML is using the OFFLINE DEMO MODEL — replies are scripted, not Claude.');
      present(`http://127.0.0.1:${ready.port}/#token=${info.token}`, options.open);
      console.log('Press Ctrl+C to stop ChatML.');
    },
  });
  supervisor.start();
  const stop = () => {
    void supervisor.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function present(url: string, shouldOpen: boolean): void {
  const how = shouldOpen ? openBrowser(url) : 'none';
  if (how === 'none') console.log(`Open ChatML at: ${url}`);
  else console.log(`Opened ChatML (${how === 'app' ? 'app window' : 'browser'}).`);
}

/**
 * A stable port per data dir, so the browser keeps this app's origin (notification permission,
 * local state) across launches; the backend falls back to a free port when it is taken.
 */
function preferredPort(home: string): number {
  const hash = createHash('sha256').update(home).digest().readUInt16BE(0);
  return 20_000 + (hash % 10_000);
}
