import type { NewSessionEvent, RunnerResult } from '@chatml/protocol';
import type { RunnerExit } from '../runners/runner-process.js';

/** What a `turn_ended` event says, minus the turn id. */
export type TurnEnd = Omit<Extract<NewSessionEvent, { type: 'turn_ended' }>['payload'], 'turnId'>;

/**
 * How an SDK result ends a turn. API errors come as results with `isError` (the SDK's subtype may
 * still say success); they are retryable when the API said 429 or 5xx, or said nothing.
 */
export function resultToTurnEnd(
  result: RunnerResult,
  isInterruptRequested: boolean,
  { isPriced = true }: { isPriced?: boolean } = {},
): TurnEnd {
  const common = {
    durationMs: result.durationMs,
    usage: result.usage,
    // The SDK prices any answer by its token counts; the demo model's are scripted and free.
    costUsd: isPriced ? result.costUsd : undefined,
    text: result.text,
  };
  if (result.interrupted || isInterruptRequested)
    return { ...common, outcome: 'interrupted', reason: 'Stopped by you.' };
  if (result.isError) {
    const retryable =
      result.apiErrorStatus === undefined || result.apiErrorStatus === 429 || result.apiErrorStatus >= 500;
    return {
      ...common,
      outcome: 'failed',
      reason: result.text || `The turn failed (${result.subtype}).`,
      retryable,
    };
  }
  return { ...common, outcome: 'completed' };
}

/** How a runner's exit reads in the log: "signal SIGKILL", "exit code 1", "it could not start: …". */
export function describeExit(exit: RunnerExit): string {
  if (exit.startError) return `it could not start: ${exit.startError}`;
  if (exit.refusal) return exit.refusal;
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.exitCode}`;
}

/**
 * How an unexpected runner exit ends the turn it was running. After an interrupt the user asked for
 * the stop (the runner was killed for not winding down in time); otherwise it is a crash, retryable:
 * the next message resumes the conversation.
 */
export function exitToTurnEnd(exit: RunnerExit, isInterruptRequested: boolean): TurnEnd {
  if (isInterruptRequested) {
    return {
      outcome: 'interrupted',
      reason: 'Stopped by you (the agent did not wind down in time and was terminated).',
      retryable: true,
    };
  }
  return {
    outcome: 'failed',
    reason: `The agent process exited unexpectedly (${describeExit(exit)}). Send a message to continue; the conversation resumes.`,
    retryable: true,
  };
}
