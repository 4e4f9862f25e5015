import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import type { RunnerResult } from '@chatml/protocol';
import type { TurnInfo } from './message-mapper.js';
import type { RunnerEventBody } from './protocol-io.js';

/** One `user_message` from the backend, from arrival to its single `result`. */
export class Turn implements TurnInfo {
  isInterruptRequested = false;
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
