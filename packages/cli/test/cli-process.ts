import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ReadyLine, ServerInfo } from '@chatml/protocol';

export const BIN = fileURLToPath(new URL('../bin/chatml.js', import.meta.url));

/** A `chatml` child process with its output captured line by line. */
export class CliProcess {
  readonly stdout: string[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    let buffer = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      this.stdout.push(...lines);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static spawn(args: string[], env: NodeJS.ProcessEnv, options: { cwd?: string } = {}): CliProcess {
    return new CliProcess(
      spawn(process.execPath, [BIN, ...args], { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] }),
    );
  }

  async waitForLine(predicate: (line: string) => boolean, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.stdout.find(predicate);
      if (line !== undefined) return line;
      if (Date.now() > deadline)
        throw new Error(`timed out; stdout: ${this.stdout.join('\n')}\nstderr: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async ready(): Promise<ReadyLine> {
    return JSON.parse(await this.waitForLine((line) => line.startsWith('{"chatml":"ready"')));
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal);
  }
}

/**
 * The environment a user would run `chatml` with, isolated for a test: its own HOME (so no real
 * Claude or git config leaks in), the model at `modelUrl`, and no retries against a fake API.
 */
export function cliEnv(options: {
  home: string;
  scratch: string;
  modelUrl: string;
  extra?: NodeJS.ProcessEnv;
}): NodeJS.ProcessEnv {
  const userHome = join(options.scratch, 'user-home');
  mkdirSync(userHome, { recursive: true });
  return {
    PATH: process.env.PATH,
    HOME: userHome,
    CHATML_HOME: options.home,
    CLAUDE_CONFIG_DIR: join(userHome, '.claude'),
    ANTHROPIC_BASE_URL: options.modelUrl,
    ANTHROPIC_API_KEY: 'sk-test-not-a-secret',
    CLAUDE_CODE_MAX_RETRIES: '0',
    IS_SANDBOX: '1',
    ...options.extra,
  };
}

export function readInfo(home: string): ServerInfo {
  return ServerInfo.parse(JSON.parse(readFileSync(join(home, 'server.json'), 'utf8')));
}

export async function api<T = unknown>(
  home: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const info = readInfo(home);
  const response = await fetch(`http://127.0.0.1:${info.port}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}
