import { APP_VERSION, PROTOCOL_VERSION, type RunnerCommand } from '@chatml/protocol';
import { buildChildEnv } from './env.js';
import { EXIT_PROTOCOL_MISMATCH } from './index.js';
import { errorMessage, log } from './log.js';
import type { CommandHandlers, EventWriter } from './protocol-io.js';
import { SdkDriver } from './sdk-driver.js';
import { WorktreeFence } from './worktree-fence.js';

type Hello = Extract<RunnerCommand, { type: 'hello' }>;

/** How long a clean stop may take before the runner kills its child and exits anyway. */
const HARD_EXIT_MS = 5000;

/**
 * The runner's top level: the hello handshake, routing commands to the SDK driver, and shutdown.
 * Commands that arrive while the handshake is still being processed are kept and replayed in order,
 * so a `user_message` sent right after the hello is never dropped.
 */
export class Runner implements CommandHandlers {
  private state: 'awaiting_hello' | 'starting' | 'running' | 'stopping' = 'awaiting_hello';
  private driver: SdkDriver | undefined;
  private readonly early: RunnerCommand[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly writer: EventWriter,
    private readonly env: NodeJS.ProcessEnv,
    private readonly exit: (code: number) => void,
  ) {}

  /** Sends the runner's hello; it goes out before the backend's, so it carries no config. */
  start(): void {
    this.writer.write({
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION,
      runnerVersion: APP_VERSION,
      pid: process.pid,
    });
  }

  onCommand(command: RunnerCommand): void {
    if (this.state === 'stopping') return;
    if (command.type === 'hello') {
      if (this.state === 'awaiting_hello') this.hello(command).catch((e: unknown) => this.fail(e));
      else this.badMessage('a second hello was ignored');
      return;
    }
    if (command.type === 'shutdown') {
      this.shutdown('shutdown requested').catch((e: unknown) => this.fail(e));
      return;
    }
    if (this.state !== 'running') {
      this.early.push(command);
      return;
    }
    if (command.session !== this.writer.session) {
      this.badMessage(
        `message for session ${command.session} ignored; this runner serves ${this.writer.session}`,
      );
      return;
    }
    this.driver?.handle(command);
  }

  onBadLine(error: string): void {
    log(`bad input line: ${error}`);
    this.badMessage(error);
  }

  onEnd(): void {
    this.shutdown('stdin closed').catch((e: unknown) => this.fail(e));
  }

  /** Stops the SDK (denying open permission requests), writes `exit`, and exits. Idempotent. */
  shutdown(reason: string, code = 0): Promise<void> {
    this.stopping ??= this.stop(reason, code);
    return this.stopping;
  }

  private async hello(hello: Hello): Promise<void> {
    this.writer.session = hello.session;
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      const message = `The backend speaks runner protocol ${hello.protocolVersion}; this runner speaks ${PROTOCOL_VERSION}. Update ChatML so both match.`;
      this.writer.write({ type: 'error', code: 'protocol_mismatch', message, retryable: false });
      await this.shutdown('protocol_mismatch', EXIT_PROTOCOL_MISMATCH);
      return;
    }
    this.state = 'starting';
    let fence: WorktreeFence;
    try {
      fence = await WorktreeFence.create(hello.config.cwd);
    } catch (error) {
      const message = `The session's working directory ${hello.config.cwd} is not usable: ${errorMessage(error)}`;
      this.writer.write({ type: 'error', code: 'bad_config', message, retryable: false });
      await this.shutdown('bad_config', EXIT_PROTOCOL_MISMATCH);
      return;
    }
    if (this.stopping) return;
    this.driver = new SdkDriver(hello.config, this.writer, buildChildEnv(this.env), fence);
    this.driver.start();
    this.state = 'running';
    log(`session ${hello.session}: started in ${hello.config.permissionMode} mode`);
    for (const command of this.early.splice(0)) this.onCommand(command);
  }

  private async stop(reason: string, code: number): Promise<void> {
    this.state = 'stopping';
    log(`stopping: ${reason}`);
    const hardExit = setTimeout(() => {
      log('clean stop took too long; killing the agent process');
      this.driver?.killNow();
      this.exit(code);
    }, HARD_EXIT_MS);
    hardExit.unref();
    try {
      await this.driver?.shutdown();
    } catch (error) {
      log(`stopping the agent failed: ${errorMessage(error)}`);
      this.driver?.killNow();
    }
    this.writer.write({ type: 'exit', reason });
    await this.writer.flush();
    this.exit(code);
  }

  private badMessage(message: string): void {
    this.writer.write({ type: 'error', code: 'bad_message', message, retryable: false });
  }

  /** A bug in the runner itself: report it and stop rather than run on in an unknown state. */
  private fail(error: unknown): void {
    log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    this.writer.write({
      type: 'error',
      code: 'internal_error',
      message: errorMessage(error),
      retryable: true,
    });
    this.shutdown('internal_error', 1).catch(() => this.exit(1));
  }
}
