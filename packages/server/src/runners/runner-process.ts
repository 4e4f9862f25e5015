import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import {
  LineSplitter,
  PROTOCOL_VERSION,
  parseLine,
  type RunnerCommand,
  type RunnerConfig,
  RunnerEvent,
} from '@chatml/protocol';
import type { Logger } from '../logger.js';
import { childPriority } from '../util/child-priority.js';

export interface RunnerExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process never started (e.g. EAGAIN, a missing cwd): Node emits no `exit` then. */
  startError?: string;
  /** Set when the backend stopped it for what it said (another protocol version): for the user. */
  refusal?: string;
}

export interface RunnerProcessOptions {
  sessionId: string;
  config: RunnerConfig;
  /** The runner's entry script (`@chatml/runner`'s dist/main.js). */
  mainPath: string;
  /** The runner's entire environment (it builds the SDK's env from this). */
  env: NodeJS.ProcessEnv;
  /** Runner stderr (its logs) is appended here. */
  logPath: string;
  logger: Logger;
  onEvent: (event: RunnerEvent) => void;
  onExit: (exit: RunnerExit) => void;
  /**
   * Handles one stdout chunk's work, so everything its lines cause can be stored together with other
   * runners' output in one transaction (the hub's `enqueue`: later in this event-loop turn). Default:
   * run it at once.
   */
  runBatch?: (work: () => void) => void;
  /**
   * Calls `report` once every chunk handed to `runBatch` so far has been handled (the hub's
   * `whenFlushed`), so an exit is never reported before the output that preceded it. Default: at once.
   */
  afterOutput?: (report: () => void) => void;
  /**
   * Raise the runner's niceness to this (0–19) right after it starts; the `claude` CLI and every
   * tool it runs inherit it. Agents are batch work: a build or test run in one worktree must not
   * take the CPU from the backend that streams every session to the UI. Default: 0 (unchanged).
   */
  niceness?: number;
}

/**
 * Owns one runner child process. The runner gets its own process group (detached), so stopping it
 * kills the `claude` CLI it spawned too; and the runner exits when its stdin closes, so even a
 * SIGKILLed backend leaves nothing behind. Malformed stdout lines are logged and skipped.
 */
export class RunnerProcess {
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private hasExited = false;
  private refusal: string | undefined;
  private readonly exited: Promise<RunnerExit>;

  constructor(private readonly options: RunnerProcessOptions) {
    mkdirSync(dirname(options.logPath), { recursive: true });
    this.log = createWriteStream(options.logPath, { flags: 'a' });
    // A full disk or a late stderr chunk must not become an unhandled 'error' event.
    this.log.on('error', (error) => options.logger.warn(`runner log ${options.logPath}: ${error.message}`));
    this.child = spawn(process.execPath, [options.mainPath], {
      cwd: options.config.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.lowerPriority(options.niceness ?? 0);
    this.exited = new Promise((resolve) => {
      const finish = (exit: RunnerExit) => {
        if (this.hasExited) return;
        this.hasExited = true;
        // Whatever the runner left in its process group (a `claude` CLI blocked on a request does
        // not notice its parent died) goes with it: no orphans, whichever way the runner ended.
        this.killGroup('SIGKILL');
        // Let stdout drain its last lines (this poll phase's reads, then their flush) before
        // reporting the exit; `stop()` resolves only after the owner has handled it, so nothing is
        // published after its owner shut down.
        const afterOutput = options.afterOutput ?? ((report: () => void) => report());
        setImmediate(() =>
          afterOutput(() => {
            try {
              options.onExit(exit);
            } finally {
              resolve(exit);
            }
          }),
        );
      };
      this.child.once('exit', (exitCode, signal) =>
        finish({ exitCode, signal, ...(this.refusal ? { refusal: this.refusal } : {}) }),
      );
      this.child.once('error', (error) => {
        options.logger.error(`runner for ${options.sessionId}: ${error.message}`);
        // No pid means it never started, and Node will not emit 'exit' for it.
        if (this.child.pid === undefined) finish({ exitCode: null, signal: null, startError: error.message });
      });
    });
    this.child.once('close', () => this.log.end());
    // A runner that died leaves a broken pipe; writes then fail with EPIPE, which we ignore here
    // because the exit handler reports the death.
    this.child.stdin?.on('error', () => {});
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => this.log.write(chunk));
    const splitter = new LineSplitter(
      (line) => this.handleLine(line),
      64 * 1024 * 1024,
      (bytes) =>
        options.logger.warn(`runner ${options.sessionId} wrote an oversize line (${bytes} bytes); skipped`),
    );
    this.child.stdout?.setEncoding('utf8');
    const runBatch = options.runBatch ?? ((work: () => void) => work());
    const handleOutput = (work: () => void) => {
      try {
        runBatch(work);
      } catch (error) {
        options.logger.error(
          `runner ${options.sessionId}: storing its events failed: ${(error as Error).message}`,
        );
      }
    };
    this.child.stdout?.on('data', (chunk: string) => handleOutput(() => splitter.push(chunk)));
    this.child.stdout?.on('end', () => handleOutput(() => splitter.end()));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isAlive(): boolean {
    return !this.hasExited;
  }

  send(command: RunnerCommand): void {
    if (this.hasExited || !this.child.stdin?.writable) return;
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  /**
   * Ask the runner to shut down (it interrupts its turn and stops the CLI), then close its stdin;
   * escalate to SIGTERM and SIGKILL of the whole process group if it does not exit in time.
   */
  async stop(graceMs = 3000): Promise<RunnerExit> {
    if (!this.hasExited) {
      this.send({ type: 'shutdown', session: this.options.sessionId });
      this.child.stdin?.end();
      const timer = setTimeout(() => this.killGroup('SIGTERM'), graceMs);
      const killTimer = setTimeout(() => this.killGroup('SIGKILL'), graceMs + 2000);
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
        clearTimeout(killTimer);
        // The runner is gone; make sure nothing it left in its group lingers.
        this.killGroup('SIGKILL');
      }
    }
    return this.exited;
  }

  /** Kill the runner's whole process group at once (used when the backend itself is going down). */
  killGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone, which is what we wanted.
    }
  }

  private lowerPriority(niceness: number): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    // Before the runner has started the CLI (it waits for our hello), so the whole tree inherits it.
    childPriority().lower(pid, niceness, (message) => this.options.logger.warn(message));
  }

  waitForExit(): Promise<RunnerExit> {
    return this.exited;
  }

  private handleLine(line: string): void {
    const parsed = parseLine(RunnerEvent, line);
    if (!parsed.ok) {
      this.options.logger.warn(`runner ${this.options.sessionId}: skipped a bad line (${parsed.error})`);
      return;
    }
    const event = parsed.value;
    if (event.type === 'hello') {
      if (event.protocolVersion !== PROTOCOL_VERSION) {
        // Files of another ChatML version on disk (updated or rebuilt while this backend runs).
        this.refusal =
          `its runner speaks protocol ${event.protocolVersion} and this backend ${PROTOCOL_VERSION}: ` +
          'ChatML was updated while it ran — restart ChatML';
        this.options.logger.error(`runner ${this.options.sessionId}: ${this.refusal}`);
        void this.stop();
        return;
      }
      this.send({
        type: 'hello',
        session: this.options.sessionId,
        protocolVersion: PROTOCOL_VERSION,
        config: this.options.config,
      });
    }
    this.options.onEvent(event);
  }
}
