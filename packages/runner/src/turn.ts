import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import type { RunnerResult } from '@chatml/protocol';
import type { TurnInfo } from './message-mapper.js';
import type { RunnerEventBody } from './protocol-io.js';

/** One `user_message` from the backend, from arrival to its single `result`. */
export class Turn implements TurnInfo {
  isInterruptRequested = false;
  /** The CLI has begun this turn (its `system/init` or output arrived). */
  isSeenByCli = false;
  /** An interrupt came before the CLI began the turn; it is sent again once the turn shows up. */
  isInterruptDeferred = false;
  startedAt = Date.now();
  private resolveEnded: () => void = () => {};
  /** Resolves when the turn's result has been sent. */
  readonly ended = new Promise<void>((resolve) => {
    this.resolveEnded = resolve;
  });

  constructor(
    readonly turnId: string,
    /** Built when the message arrives (attachments are read then), sent when the turn starts. */
    readonly message: Promise<SDKUserMessage>,
  ) {}

  markEnded(): void {
    this.resolveEnded();
  }

  /**
   * A result the runner makes up because the SDK never produced one (the CLI died, the runner is
   * stopping, or the turn was cancelled before it started), so the backend never waits forever.
   */
  syntheticResult(text: string, now = Date.now()): RunnerEventBody {
    const result: RunnerResult = {
      subtype: 'error_during_execution',
      isError: true,
      interrupted: this.isInterruptRequested,
      text,
      durationMs: Math.max(0, now - this.startedAt),
    };
    return { type: 'result', turnId: this.turnId, result };
  }
}

/** The session's turns: at most one active (sent to the SDK), the rest waiting in arrival order. */
export class TurnQueue {
  active: Turn | undefined;
  private readonly waiting: Turn[] = [];

  push(turn: Turn): void {
    this.waiting.push(turn);
  }

  /** Makes the next waiting turn the active one, when none is active. */
  activateNext(): Turn | undefined {
    if (this.active) return undefined;
    const turn = this.waiting.shift();
    if (turn) {
      this.active = turn;
      turn.startedAt = Date.now();
    }
    return turn;
  }

  /** Removes waiting turns: the one with `turnId`, or all of them. */
  takeWaiting(turnId?: string): Turn[] {
    const taken = this.waiting.filter((turn) => turnId === undefined || turn.turnId === turnId);
    for (const turn of taken) this.waiting.splice(this.waiting.indexOf(turn), 1);
    return taken;
  }

  /** True when `turn` was the active turn, which it no longer is. */
  release(turn: Turn): boolean {
    if (this.active !== turn) return false;
    this.active = undefined;
    return true;
  }
}
