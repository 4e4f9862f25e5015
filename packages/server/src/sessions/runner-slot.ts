import type { NewSessionEvent, RunnerCommand, RunnerEvent } from '@chatml/protocol';
import type { RunnerExit, RunnerProcess } from '../runners/runner-process.js';
import type { SessionRecord } from '../store/session-store.js';
import type { SessionContext } from './session-context.js';
import { describeExit } from './turn-outcome.js';

/** What the slot tells its session about the runner; the session decides what it means for a turn. */
export interface RunnerSlotEvents {
  publish(event: NewSessionEvent): void;
  /** The current runner greeted: commands sent now are understood. */
  onHandshake(): void;
  /** What the current runner says about its turns (lines from a replaced runner never arrive). */
  onEvent(event: RunnerEvent): void;
  /** The current runner exited without being asked to; `runner_stopped` is already logged. */
  onLost(exit: RunnerExit): void;
  /** The runner gave no `hello` in time and is being stopped; `message` is for the user. */
  onStartTimeout(message: string): void;
}

/**
 * One session's runner processes: the current one (spawned on demand, greeted within a time limit,
 * stopped when idle) and those still winding down after being replaced. The session owns turns;
 * this owns processes, so an exit is "expected" exactly when this slot asked for it.
 */
export class RunnerSlot {
  private runner: RunnerProcess | null = null;
  private isHandshaken = false;
  private startTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Runners we asked to stop; their exit is expected and must not fail a turn. */
  private readonly stopping = new Set<RunnerProcess>();

  constructor(
    private readonly sessionId: string,
    private readonly context: SessionContext,
    private readonly events: RunnerSlotEvents,
  ) {}

  get current(): RunnerProcess | null {
    return this.runner;
  }

  /** A runner is there and has greeted. */
  get isReady(): boolean {
    return this.runner !== null && this.isHandshaken;
  }

  /** Send to the current runner; nothing happens when there is none. */
  send(command: RunnerCommand): void {
    this.runner?.send(command);
  }

  /** Spawn the session's runner (there must be none); it is ready once it says `hello`. */
  start(record: SessionRecord): void {
    this.isHandshaken = false;
    const runner = this.context.spawnRunner(record, {
      // These run inside stdout and exit handlers: an exception there (say, a full disk) must be
      // reported, never thrown into the event loop where it would take the backend down.
      onEvent: (event) => {
        if (this.runner !== runner) return;
        this.guard(`handling ${event.type}`, () => this.handleEvent(event));
      },
      onExit: (exit) => this.guard('handling runner exit', () => this.handleExit(runner, exit)),
    });
    this.runner = runner;
    // A runner that never greets (stuck starting, or not a runner at all) must not leave its turn
    // running forever. The timer belongs to this runner: only its hello or its end clears it.
    this.startTimer = setTimeout(() => {
      this.startTimer = null;
      if (this.runner !== runner || this.isHandshaken) return;
      const seconds = Math.round(this.context.runnerStartTimeoutMs / 1000);
      this.context.logger.warn(
        `session ${this.sessionId}: runner gave no hello within ${seconds} s; stopping it`,
      );
      void this.detach()?.stop();
      this.events.onStartTimeout(
        `The agent process did not start (no answer within ${seconds} s), so it was stopped. Send the message again to retry.`,
      );
    }, this.context.runnerStartTimeoutMs);
    this.events.publish({
      type: 'runner_started',
      payload: { pid: runner.pid ?? -1, resumed: record.sdkSessionId !== null },
    });
  }

  /**
   * Forget the current runner at once and let it wind down in the background: a message that
   * arrives while it stops gets a fresh runner instead of a closing stdin.
   */
  detach(): RunnerProcess | null {
    const runner = this.runner;
    if (!runner) return null;
    this.runner = null;
    this.isHandshaken = false;
    this.clearStartTimer();
    this.cancelIdleStop();
    this.stopping.add(runner);
    return runner;
  }

  /** Stop the runner after the configured idle time, unless a turn needs it first (`cancelIdleStop`). */
  stopWhenIdle(): void {
    if (!this.runner) return;
    this.cancelIdleStop();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (!this.runner) return;
      this.context.logger.info(`stopping idle runner of ${this.sessionId}`);
      void this.detach()?.stop();
    }, this.context.idleRunnerTimeoutMs);
    this.idleTimer.unref();
  }

  cancelIdleStop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** Stop the current runner and wait for every runner of this session to be gone. */
  async stopAll(): Promise<void> {
    await this.detach()?.stop();
    await Promise.all([...this.stopping].map((stopping) => stopping.waitForExit()));
  }

  private handleEvent(event: RunnerEvent): void {
    switch (event.type) {
      case 'hello':
        this.isHandshaken = true;
        this.clearStartTimer();
        this.events.onHandshake();
        return;
      case 'exit':
        this.context.logger.debug(`runner ${this.sessionId} exiting: ${event.reason}`);
        return;
      case 'error':
        this.context.logger.warn(`runner ${this.sessionId} reported ${event.code}: ${event.message}`);
        // A line the runner could not parse is our bug, for the log; anything else the user sees.
        if (event.code !== 'bad_message') {
          const { code, message, retryable } = event;
          this.events.publish({ type: 'error_reported', payload: { code, message, retryable } });
        }
        return;
      default:
        this.events.onEvent(event);
    }
  }

  private handleExit(runner: RunnerProcess, exit: RunnerExit): void {
    const wasExpected = this.stopping.delete(runner);
    if (this.runner === runner) {
      this.runner = null;
      this.isHandshaken = false;
      this.clearStartTimer();
      this.cancelIdleStop();
    }
    try {
      this.events.publish({
        type: 'runner_stopped',
        payload: {
          reason: wasExpected ? 'stopped' : `exited unexpectedly (${describeExit(exit)})`,
          exitCode: exit.exitCode,
          signal: exit.signal,
        },
      });
    } finally {
      // Even when the log cannot say the runner stopped, its turn must end.
      if (!wasExpected && this.runner === null) this.events.onLost(exit);
    }
  }

  private clearStartTimer(): void {
    if (this.startTimer) clearTimeout(this.startTimer);
    this.startTimer = null;
  }

  private guard(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.context.logger.error(`session ${this.sessionId}: ${what} failed: ${(error as Error).stack}`);
    }
  }
}
