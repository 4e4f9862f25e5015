import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../cli/bin/chatml.js', import.meta.url));

export interface ServeOptions {
  /** `$CHATML_HOME` of the backend. */
  home: string;
  /** The runners' HOME (an empty one: a developer's own Claude login must not leak in). */
  userHome: string;
  /** The fake Anthropic Messages API the agents talk to. */
  modelUrl: string;
  /** 0: any free port. */
  port?: number;
  /** More environment (e.g. the fake GitHub's URL). */
  env?: NodeJS.ProcessEnv;
}

export interface RunningServe {
  child: ChildProcess;
  url: string;
  token: string;
  /** SIGTERM, then waits for the exit (at once if it already exited). */
  stop(): Promise<void>;
}

/** `chatml serve` for a browser test, offline against the fake model API; resolves once it is ready. */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const { home, userHome } = options;
  mkdirSync(userHome, { recursive: true });
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(options.port ?? 0), '--home', home], {
    env: {
      PATH: process.env.PATH,
      HOME: userHome,
      CLAUDE_CONFIG_DIR: join(userHome, '.claude'),
      ANTHROPIC_BASE_URL: options.modelUrl,
      ANTHROPIC_API_KEY: 'sk-test-not-a-secret',
      CLAUDE_CODE_MAX_RETRIES: '0',
      IS_SANDBOX: '1',
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
      const line = out.split('\n').find((candidate) => candidate.startsWith('{"chatml":"ready"'));
      if (line) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`chatml serve exited (${code})`)));
  });
  const { token } = JSON.parse(readFileSync(join(home, 'server.json'), 'utf8')) as { token: string };
  return {
    child,
    url: ready.url,
    token,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
