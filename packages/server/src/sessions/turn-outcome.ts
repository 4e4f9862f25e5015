import type { NewSessionEvent, RunnerResult } from '@chatml/protocol';

/** What a `turn_ended` event says, minus the turn id. */
export type TurnEnd = Omit<Extract<NewSessionEvent, { type: 'turn_ended' }>['payload'], 'turnId'>;

/**
 * How an SDK result ends a turn. API errors come as results with `isError` (the SDK's subtype may
 * still say success); they are retryable when the API said 429 or 5xx, or said nothing.
 */
export function resultToTurnEnd(result: RunnerResult, isInterruptRequested: boolean): TurnEnd {
  const common = {
    durationMs: result.durationMs,
    usage: result.usage,
    costUsd: result.costUsd,
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
