import { describe, expect, it } from 'vitest';
import { defaultMaxConcurrentTurns, TurnScheduler } from './turn-scheduler.js';

describe('TurnScheduler', () => {
  it('grants up to its limit, then queues in order and tells each waiter when it moves up', () => {
    const scheduler = new TurnScheduler(1);
    const granted: string[] = [];
    const places: string[] = [];
    const ask = (id: string) =>
      scheduler.request(
        id,
        () => granted.push(id),
        (position) => places.push(`${id}@${position}`),
      );
    expect(ask('a')).toBe(true);
    expect([ask('b'), ask('c'), ask('d')]).toEqual([false, false, false]);
    expect([scheduler.positionOf('c'), scheduler.positionOf('d')]).toEqual([2, 3]);

    scheduler.cancel('b'); // leaves the line: c and d move up
    expect(places).toEqual(['c@1', 'd@2']);
    scheduler.release('a'); // c gets the slot: d moves up again
    expect(granted).toEqual(['a', 'c']);
    expect(places).toEqual(['c@1', 'd@2', 'd@1']);
    scheduler.cancel('nobody');
    expect(places).toHaveLength(3);
    expect(scheduler.hasFreeSlot).toBe(false);
  });

  it('sizes the default from free memory, between 2 and 16 turns', () => {
    expect(defaultMaxConcurrentTurns(0)).toBe(2);
    expect(defaultMaxConcurrentTurns(4 * 400 * 1024 * 1024)).toBe(4);
    expect(defaultMaxConcurrentTurns(1e12)).toBe(16);
  });
});
