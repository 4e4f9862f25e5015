import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  LineSplitter,
  PROTOCOL_VERSION,
  parseLine,
  type RunnerCommand,
  type RunnerConfig,
  RunnerEvent,
  type RunnerEventOf,
} from '@chatml/protocol';
import { RUNNER_MAIN_PATH } from '@chatml/runner';
import { descendantsOf, processGroupMembers } from '@chatml/testkit';
import type { FakeAnthropicServer } from '@chatml/testkit/fake-anthropic';

type CommandInput = RunnerCommand extends infer C
  ? C extends RunnerCommand
    ? Omit<C, 'session'>
    : never
  : never;

export interface HarnessOptions {
  fake: FakeAnthropicServer;
  config?: Partial<RunnerConfig>;
  /** Reuse a cwd (e.g. to resume in the same worktree); default: a new temp dir. */
  cwd?: string;
  /** Reuse HOME/CLAUDE_CONFIG_DIR of an earlier runner (resume needs its transcript). */
  homeFrom?: RunnerHarness;
  env?: Record<string, string>;
  /** Default true: send the backend's hello right away. */
  sendHello?: boolean;
  session?: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Spawns the built runner (`dist/main.js`) in its own process group with an isolated HOME, config
 * dir and temp dir, and lets a test talk to it: `send(command)`, `await next('result')`. Every
 * stdout line must parse as a RunnerEvent; anything else is recorded in `violations`.
 */
export class RunnerHarness {
  readonly events: RunnerEvent[] = [];
  readonly violations: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly consumed = new Set<number>();
  private readonly listeners = new Set<() => void>();
  private readonly ownedDirs: string[] = [];

  private constructor(
    readonly child: ChildProcess,
    readonly session: string,
    readonly cwd: string,
    readonly root: string,
  ) {
    const splitter = new LineSplitter((line) => {
      const parsed = parseLine(RunnerEvent, line);
      if (parsed.ok) this.events.push(parsed.value);
      else this.violations.push(`${parsed.error}: ${line.slice(0, 300)}`);
      this.notify();
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => splitter.push(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.notify();
        resolve({ code, signal });
      });
    });
    child.stdin?.on('error', () => {}); // EPIPE after the runner exited is expected in some tests
  }

  static start(options: HarnessOptions): RunnerHarness {
    const root = options.homeFrom?.root ?? mkdtempSync(path.join(tmpdir(), 'chatml-runner-test-'));
    const home = path.join(root, 'home');
    const cwd = options.cwd ?? mkdtempSync(path.join(root, 'work-'));
    mkdirSync(home, { recursive: true });
    const session = options.session ?? 'ses_test';
    const child = spawn(process.execPath, [RUNNER_MAIN_PATH], {
      cwd,
      detached: true, // own process group: the test can check that nothing is left in it
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        LANG: 'C.UTF-8',
        CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
        CHATML_RUNNER_TMPDIR: path.join(root, 'tmp'),
        ANTHROPIC_BASE_URL: options.fake.url,
        ANTHROPIC_API_KEY: 'sk-ant-fake-key-for-tests',
        CLAUDE_CODE_MAX_RETRIES: '1',
        IS_SANDBOX: '1',
        CHATML_SESSION_ID: session,
        ...options.env,
      },
    });
    const harness = new RunnerHarness(child, session, cwd, root);
    if (!options.homeFrom) harness.ownedDirs.push(root);
    if (options.sendHello !== false) {
      harness.send({
        type: 'hello',
        protocolVersion: PROTOCOL_VERSION,
        config: { cwd, permissionMode: 'default', settingSources: [], ...options.config },
      });
    }
    return harness;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  send(command: CommandInput): void {
    this.sendRaw(JSON.stringify({ session: this.session, ...command }));
  }

  sendRaw(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /** The next event of this type not returned before (optionally matching `where`). */
  async next<T extends RunnerEvent['type']>(
    type: T,
    where: (event: RunnerEventOf<T>) => boolean = () => true,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<RunnerEventOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex(
        (event, i) => !this.consumed.has(i) && event.type === type && where(event as RunnerEventOf<T>),
      );
      if (index !== -1) {
        this.consumed.add(index);
        return this.events[index] as RunnerEventOf<T>;
      }
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `runner exited before a ${type} event. Events: ${this.describe()}\nstderr:\n${this.stderr}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no ${type} event in ${timeoutMs} ms. Events: ${this.describe()}\nstderr:\n${this.stderr}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, left);
        const listeners = this.listeners;
        function wake() {
          clearTimeout(timer);
          listeners.delete(wake);
          resolve();
        }
        listeners.add(wake);
      });
    }
  }

  /** Events of one turn, in order. */
  turnEvents(turnId: string): RunnerEvent[] {
    return this.events.filter((event) => 'turnId' in event && event.turnId === turnId);
  }

  /** The `claude` CLI processes under the runner right now. */
  claudeProcesses(): number[] {
    return descendantsOf(this.pid)
      .filter((info) => info.comm === 'claude')
      .map((info) => info.pid);
  }

  async waitForExit(timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`runner did not exit in ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills whatever is left of the runner's process group and removes the temp dirs. */
  async dispose(): Promise<void> {
    for (const info of processGroupMembers(this.pid)) {
      try {
        process.kill(info.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (this.child.exitCode === null && this.child.signalCode === null) await this.exited;
    for (const dir of this.ownedDirs) rmSync(dir, { recursive: true, force: true });
  }

  private notify(): void {
    for (const wake of [...this.listeners]) wake();
  }

  private describe(): string {
    return this.events.map((event) => event.type).join(', ');
  }
}
