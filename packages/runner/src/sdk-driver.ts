import type { SDKMessage, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import type { PermissionMode, RunnerCommand, RunnerConfig } from '@chatml/protocol';
import type { ClaudeProcess } from './claude-process.js';
import { isRefusedResume, type LiveQuery, launchQuery, startsTurn } from './live-query.js';
import { errorMessage, log } from './log.js';
import { MessageMapper } from './message-mapper.js';
import { PermissionBridge } from './permission-bridge.js';
import type { EventWriter, RunnerEventBody } from './protocol-io.js';
import { Turn, TurnQueue } from './turn.js';
import { toSdkUserMessage } from './user-input.js';
import type { WorktreeFence } from './worktree-fence.js';

type UserMessage = Extract<RunnerCommand, { type: 'user_message' }>;

/** How long an interrupted turn may take to produce its result before the CLI is restarted. */
const INTERRUPT_RESULT_TIMEOUT_MS = 3000;

/**
 * Drives the Claude Agent SDK for one session: one `query()` in streaming-input mode kept alive across
 * turns (a follow-up starts in ~0.1 s instead of a fresh CLI's ~0.5 s), one turn at a time so every
 * `user_message` gets exactly one `result`, and a new query resuming the SDK session when the old one
 * died.
 */
export class SdkDriver {
  private live: LiveQuery | undefined;
  /** The newest `claude` child, kept after its query ended so a hard stop can still reach it. */
  private claude: ClaudeProcess | undefined;
  private readonly turns = new TurnQueue();
  private readonly mapper = new MessageMapper();
  private readonly permissions: PermissionBridge;
  private sdkSessionId: string | undefined;
  private model: string | undefined;
  private permissionMode: PermissionMode;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly config: RunnerConfig,
    private readonly writer: EventWriter,
    private readonly env: Record<string, string>,
    fence: WorktreeFence,
  ) {
    this.sdkSessionId = config.resumeSdkSessionId;
    this.model = config.model;
    this.permissionMode = config.permissionMode;
    this.permissions = new PermissionBridge({
      fence,
      activeTurnId: () => this.turns.active?.turnId,
      ask: (request) => {
        // The SDK calls canUseTool while the assistant message that asked may still wait in its
        // queue; let that drain so the backend sees the tool_use before the question about it.
        setImmediate(() => {
          this.writer.writeAll(this.mapper.flush());
          this.writer.write(request);
        });
      },
      // Deferred like `ask`, so a withdrawal can never overtake the question it withdraws.
      withdraw: (cancelled) => setImmediate(() => this.writer.write(cancelled)),
    });
  }

  /** Starts the CLI right away, so it has booted by the time the first message arrives. */
  start(): void {
    if (!this.live && !this.stopping) this.live = this.startQuery();
  }

  handle(command: RunnerCommand): void {
    switch (command.type) {
      case 'user_message':
        this.enqueue(command);
        return;
      case 'interrupt':
        this.interrupt(command.turnId);
        return;
      case 'permission_response':
        this.permissions.respond(command).then((isKnown) => {
          const message = `No open permission request ${command.requestId}.`;
          if (!isKnown) this.writer.error('unknown_permission_request', message);
        }, this.reportBug);
        return;
      case 'set_model':
        this.model = command.model;
        this.live?.query
          .setModel(command.model)
          .catch((e: unknown) => this.writer.error('sdk_error', errorMessage(e)));
        return;
      case 'set_permission_mode':
        this.setPermissionMode(command.mode);
        return;
      case 'hello':
      case 'shutdown':
        return; // handled by the runner
    }
  }

  /** Denies open permission requests, ends turns, and waits for the `claude` child to exit. */
  shutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  /** Last resort when a clean stop hangs: kill the child now. */
  killNow(): void {
    this.claude?.killNow();
  }

  private setPermissionMode(mode: PermissionMode): void {
    this.permissionMode = mode;
    const live = this.live;
    if (!live) return;
    if (mode === 'bypassPermissions' && !live.canBypass) {
      // Only a CLI launched with bypass allowed can switch to it: relaunch, resuming the session.
      live.isRetiring = true;
      if (!this.turns.active) this.replaceRetiredQuery();
      return;
    }
    live.query.setPermissionMode(mode).catch((e: unknown) => this.writer.error('sdk_error', errorMessage(e)));
  }

  private replaceRetiredQuery(): void {
    const old = this.live;
    if (!old?.isRetiring || this.stopping) return;
    log('relaunching the agent to apply the new permission mode');
    this.live = undefined;
    old.input.close();
    old.query.close();
    this.live = this.startQuery();
  }

  private enqueue(command: UserMessage): void {
    const turn = new Turn(command.turnId, toSdkUserMessage(command.text, command.attachments));
    if (this.stopping) {
      this.finish(turn, [turn.syntheticResult('The session is stopping; this message was not sent.')]);
      return;
    }
    this.turns.push(turn);
    this.pump();
  }

  /** Starts the next waiting turn when none is running. */
  private pump(): void {
    if (this.stopping || this.turns.active) return;
    this.replaceRetiredQuery();
    const turn = this.turns.activateNext();
    if (!turn) return;
    this.live ??= this.startQuery();
    this.send(this.live, turn);
  }

  private send(live: LiveQuery, turn: Turn): void {
    turn.message.then((message) => {
      if (this.turns.active === turn && this.live === live) live.input.push(message);
    }, this.reportBug);
  }

  private interrupt(turnId: string | undefined): void {
    for (const waiting of this.turns.takeWaiting(turnId)) {
      waiting.isInterruptRequested = true;
      this.finish(waiting, [waiting.syntheticResult('Interrupted before it started.')]);
    }
    const turn = this.turns.active;
    if (!turn || (turnId !== undefined && turn.turnId !== turnId) || turn.isInterruptRequested) return;
    turn.isInterruptRequested = true;
    this.permissions.denyPending('The user interrupted this turn.', turn.turnId);
    const live = this.live;
    // Before the CLI has begun the turn (it may still be starting up) an interrupt is a no-op there
    // and the turn would run to the end; so it is sent again as soon as the turn shows up.
    turn.isInterruptDeferred = !turn.isSeenByCli;
    if (live) this.sendInterrupt(live);
    // Last resort. Not query.close(): that lets the CLI finish the turn first.
    setTimeout(() => {
      if (this.turns.active !== turn || this.live !== live || !live) return;
      log('interrupted turn produced no result; stopping the agent process');
      live.process.stop(0).catch(this.reportBug);
    }, INTERRUPT_RESULT_TIMEOUT_MS).unref();
  }

  private sendInterrupt(live: LiveQuery): void {
    live.query.interrupt().catch((e: unknown) => log(`interrupt failed: ${errorMessage(e)}`));
  }

  private startQuery(): LiveQuery {
    this.mapper.startQuery(this.sdkSessionId !== undefined);
    const live = launchQuery({
      config: this.config,
      env: this.env,
      permissionMode: this.permissionMode,
      model: this.model,
      resume: this.sdkSessionId,
      permissions: this.permissions,
    });
    this.claude = live.process;
    this.consume(live).catch(this.reportBug);
    return live;
  }

  private async consume(live: LiveQuery): Promise<void> {
    let failure: unknown;
    try {
      for await (const message of live.query) {
        if (this.live !== live) break; // a replaced query's leftovers belong to no turn
        this.onMessage(live, message);
      }
    } catch (error) {
      failure = error;
    }
    this.onQueryEnded(live, failure);
  }

  private onMessage(live: LiveQuery, message: SDKMessage): void {
    const turn = this.turns.active;
    if (message.type === 'system' && message.subtype === 'init') live.hasStarted = true;
    if (turn && !turn.isSeenByCli && startsTurn(message)) {
      turn.isSeenByCli = true;
      if (turn.isInterruptDeferred) {
        turn.isInterruptDeferred = false;
        this.sendInterrupt(live);
      }
    }
    if (message.type === 'result') {
      if (turn && isRefusedResume(live, message)) this.startOver(turn, message);
      else if (turn) this.finish(turn, this.mapper.mapResult(message, turn));
      else log('ignored a result that belongs to no turn');
      return;
    }
    const events = this.mapper.map(message, turn);
    for (const event of events) if (event.type === 'ready') this.sdkSessionId = event.sdkSessionId;
    this.writer.writeAll(events);
  }

  /**
   * Rather than fail every later turn on a resume the CLI refused, the turn is sent again in a new
   * conversation; the backend learns the new id from the next `ready`.
   */
  private startOver(turn: Turn, refusal: SDKResultMessage): void {
    const reason = refusal.subtype === 'success' ? refusal.result : refusal.errors.join('; ');
    log(`resume refused: ${reason}`);
    const text = `Could not resume the earlier conversation (${reason}). Continuing in a new one without its history.`;
    this.writer.error('resume_failed', text, { turnId: turn.turnId });
    this.sdkSessionId = undefined;
    this.live = this.startQuery();
    this.send(this.live, turn);
  }

  /** The query's message loop ended: the CLI exited, or the SDK threw (e.g. after an error result). */
  private onQueryEnded(live: LiveQuery, failure: unknown): void {
    live.input.close();
    live.query.close();
    // A query replaced on purpose, or ended by shutdown, has nothing to report.
    if (this.live !== live || this.stopping) return;
    this.live = undefined;
    const said = live.process.lastStderrLine;
    // "Claude Code process exited with code 1" alone says nothing; what the CLI printed last does.
    const reason = `${failure ? errorMessage(failure) : 'the agent process ended'}${said ? ` (claude: ${said})` : ''}`;
    log(`query ended: ${reason}`);
    const turn = this.turns.active;
    if (turn) {
      // After an interrupt the stop is the expected outcome, not an error worth reporting.
      const text = `The agent stopped during this turn: ${reason}`;
      if (!turn.isInterruptRequested)
        this.writer.error('sdk_error', text, { turnId: turn.turnId, retryable: true });
      this.finish(turn, [...this.mapper.flush(), turn.syntheticResult(`The agent stopped: ${reason}`)]);
    } else if (failure) {
      const message = `The agent stopped: ${reason}. It restarts with the next message.`;
      this.writer.error('sdk_error', message, { retryable: true });
    }
  }

  /** Sends the turn's closing events and starts the next turn. */
  private finish(turn: Turn, events: RunnerEventBody[]): void {
    this.writer.writeAll(events);
    turn.markEnded();
    if (this.turns.release(turn)) this.pump();
  }

  private async stop(): Promise<void> {
    this.permissions.denyPending('ChatML is stopping this session.');
    const live = this.live;
    const turn = this.turns.active;
    if (live && turn) {
      turn.isInterruptRequested = true;
      await Promise.race([
        live.query.interrupt().then(() => turn.ended),
        new Promise((resolve) => setTimeout(resolve, 1000).unref()),
      ]).catch((e: unknown) => log(`interrupt on shutdown failed: ${errorMessage(e)}`));
    }
    if (live) {
      live.input.close(); // stdin EOF: the CLI's own clean exit
      await live.process.stop(1500);
      live.query.close();
    }
    const text = 'ChatML stopped the session before this turn finished.';
    for (const left of [this.turns.active, ...this.turns.takeWaiting()]) {
      if (left) this.finish(left, [left.syntheticResult(text)]);
    }
  }

  private readonly reportBug = (error: unknown): void => {
    log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    this.writer.error('internal_error', errorMessage(error));
  };
}
