import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { LineSplitter, parseLine, ReadyLine } from '@chatml/protocol';
import { EXIT_ALREADY_RUNNING } from './exit-codes.js';
import { checkHealth } from './server-info.js';

export interface SupervisorOptions {
  /**
   * argv for the backend (after the node executable), e.g. [bin.js, 'serve', '--supervised'];
   * given the port the previous backend had, so a restart keeps the app's origin.
   */
  args: (previousPort: number | undefined) => string[];
  env: NodeJS.ProcessEnv;
  logPath: string;
  readInfoToken: () => string | undefined;
  onReady: (ready: ReadyLine, isRestart: boolean) => void;
  onLog: (message: string) => void;
  healthIntervalMs?: number;
  maxRestarts?: number;
  /** The backend will not be restarted again (another instance, or too many crashes). */
  onGaveUp?: () => void;
  /** The backend exited cleanly, as asked (`chatml stop`): the app is over, not crashed. */
  onStopped?: () => void;
}

/**
 * Runs the backend as a child and keeps it alive: waits for its ready line, checks its health,
 * restarts it with exponential backoff when it dies or stops answering, and shuts it down cleanly.
 * The backend is given a stdin pipe and exits when it closes, so even a SIGKILLed launcher
 * leaves no backend (and so no runner) behind.
 */
export class BackendSupervisor {
  private child: ChildProcess | null = null;
  private isStopping = false;
  private restarts = 0;
  private healthTimer: NodeJS.Timeout | null = null;
  private readonly log: WriteStream;
  private lastReady: ReadyLine | null = null;
  private failedChecks = 0;

  constructor(private readonly options: SupervisorOptions) {
    // Private like the rest of the data dir (the backend would create it 0700, but this runs first).
    mkdirSync(dirname(options.logPath), { recursive: true, mode: 0o700 });
    this.log = createWriteStream(options.logPath, { flags: 'a' });
    this.log.on('error', (error) => options.onLog(`cannot write ${options.logPath}: ${error.message}`));
  }

  start(): void {
    this.spawnBackend();
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    this.isStopping = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    }
    this.log.end();
  }

  private spawnBackend(): void {
    const isRestart = this.restarts > 0;
    const child = spawn(process.execPath, this.options.args(this.lastReady?.port), {
      env: this.options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdin?.on('error', () => {});
    child.stderr?.on('data', (chunk: Buffer) => this.log.write(chunk));
    const splitter = new LineSplitter((line) => {
      const ready = parseLine(ReadyLine, line);
      if (!ready.ok) {
        this.log.write(`${line}\n`);
        return;
      }
      this.lastReady = ready.value;
      this.failedChecks = 0;
      const upSince = Date.now();
      this.options.onReady(ready.value, isRestart);
      this.watchHealth(child, upSince);
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => splitter.push(chunk));
    child.once('exit', (code, signal) => {
      if (this.healthTimer) clearInterval(this.healthTimer);
      if (this.isStopping) return;
      // Exit 0 is a backend that shut down on request (a signal from `chatml stop`, say). Taking
      // it for a crash would start it again right after the user stopped it.
      if (code === 0 && signal === null) {
        this.options.onLog('The backend was stopped; ChatML exits.');
        this.isStopping = true;
        this.log.end();
        this.options.onStopped?.();
        return;
      }
      if (code === EXIT_ALREADY_RUNNING) {
        this.options.onLog('Another ChatML backend holds this data dir; not starting a second one.');
        process.exitCode = 1;
        this.options.onGaveUp?.();
        return;
      }
      const max = this.options.maxRestarts ?? 10;
      if (this.restarts >= max) {
        this.options.onLog(
          `The backend keeps failing (${this.restarts} restarts); giving up. See ${this.options.logPath}.`,
        );
        process.exitCode = 1;
        this.options.onGaveUp?.();
        return;
      }
      const delay = Math.min(30_000, 500 * 2 ** this.restarts);
      this.restarts += 1;
      this.options.onLog(
        `The backend stopped (${signal ?? `exit ${code}`}); restarting in ${Math.round(delay / 100) / 10}s.`,
      );
      setTimeout(() => {
        if (!this.isStopping) this.spawnBackend();
      }, delay);
    });
  }

  private watchHealth(child: ChildProcess, upSince: number): void {
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = setInterval(() => {
      const ready = this.lastReady;
      const token = this.options.readInfoToken();
      if (!ready || !token) return;
      void checkHealth(ready.port, token, 5000).then((health) => {
        if (health) {
          this.failedChecks = 0;
          // A backend that has stayed up a while has earned a fresh restart budget.
          if (Date.now() - upSince > 60_000) this.restarts = 0;
          return;
        }
        this.failedChecks += 1;
        if (this.failedChecks >= 3 && !this.isStopping) {
          this.options.onLog('The backend stopped answering health checks; restarting it.');
          child.kill('SIGKILL');
        }
      });
    }, this.options.healthIntervalMs ?? 10_000);
    this.healthTimer.unref();
  }
}
