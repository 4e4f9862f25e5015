import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { Turn, TurnQueue } from '../src/turn.js';

const message = Promise.resolve({} as SDKUserMessage);

describe('TurnQueue', () => {
  it('runs one turn at a time, in arrival order', () => {
    const queue = new TurnQueue();
    const [first, second] = [new Turn('t1', message), new Turn('t2', message)];
    queue.push(first);
    queue.push(second);

    expect(queue.activateNext()).toBe(first);
    expect(queue.activateNext()).toBeUndefined();
    expect(queue.release(second)).toBe(false);
    expect(queue.release(first)).toBe(true);
    expect(queue.activateNext()).toBe(second);
  });

  it('takes waiting turns out by id, or all', () => {
    const queue = new TurnQueue();
    for (const id of ['t1', 't2', 't3']) queue.push(new Turn(id, message));
    expect(queue.takeWaiting('t2').map((turn) => turn.turnId)).toEqual(['t2']);
    expect(queue.takeWaiting().map((turn) => turn.turnId)).toEqual(['t1', 't3']);
    expect(queue.activateNext()).toBeUndefined();
  });
});

describe('Turn', () => {
  it('makes up an error result that says whether it was interrupted', () => {
    const turn = new Turn('t1', message);
    turn.startedAt = 1000;
    turn.isInterruptRequested = true;
    expect(turn.syntheticResult('Stopped.', 1500)).toEqual({
      type: 'result',
      turnId: 't1',
      result: {
        subtype: 'error_during_execution',
        isError: true,
        interrupted: true,
        text: 'Stopped.',
        durationMs: 500,
      },
    });
  });
});
