import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import { log } from './log.js';

/**
 * Spawns the `claude` CLI for the SDK (its `spawnClaudeCodeProcess` hook) so the runner owns the child:
 * it knows the pid, can wait for the exit, and kills it itself if a clean exit takes too long. The
 * child stays in the runner's process group, so the backend killing that group takes it down too.
 */
export class ClaudeProcess {
  private child: ChildProcess | undefined;
  /** The CLI's last stderr lines: when it exits before answering, they usually say why. */
  private readonly recentStderr: string[] = [];

  /** The CLI's last stderr line (trimmed, at most 500 characters), if it wrote any. */
  get lastStderrLine(): string | undefined {
    return this.recentStderr.at(-1);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  readonly spawn = (options: SpawnOptions): SpawnedProcess => {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      signal: options.signal,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    child.on('error', (error) => log(`claude process error: ${error.message}`));
    // The CLI's stderr is diagnostics; keep it in the runner's log, line by line, capped in size.
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        log(`claude: ${line.slice(0, 500)}`);
        this.recentStderr.push(line.trim().slice(0, 500));
        if (this.recentStderr.length > 5) this.recentStderr.shift();
      }
    });
    child.once('exit', (code, signal) => log(`claude (pid ${child.pid}) exited: ${signal ?? code}`));
    return child as unknown as SpawnedProcess;
  };

  /** Last resort when a clean stop hangs. */
  killNow(): void {
    if (this.isRunning) this.child?.kill('SIGKILL');
  }

  /** Waits up to `graceMs` for the child to exit, then SIGTERM, then SIGKILL. Resolves once it is gone. */
  async stop(graceMs: number): Promise<void> {
    const child = this.child;
    if (!child || !this.isRunning) return;
    const exited = once(child, 'exit').then(() => true);
    const waitFor = (ms: number) =>
      Promise.race([exited, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
    if (await waitFor(graceMs)) return;
    child.kill('SIGTERM');
    if (await waitFor(1000)) return;
    child.kill('SIGKILL');
    await waitFor(1000);
  }
}
