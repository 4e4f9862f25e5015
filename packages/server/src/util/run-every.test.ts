import { expect, it } from 'vitest';
import { runEvery } from './run-every.js';

it('runs the steps after one that throws, then throws the first error', () => {
  const ran: number[] = [];
  expect(() =>
    runEvery(
      () => ran.push(1),
      () => {
        throw new Error('first');
      },
      () => ran.push(3),
      () => {
        throw new Error('second');
      },
      () => ran.push(5),
    ),
  ).toThrow('first');
  expect(ran).toEqual([1, 3, 5]);
});

it('returns quietly when every step does', () => {
  const ran: number[] = [];
  runEvery(
    () => ran.push(1),
    () => ran.push(2),
  );
  expect(ran).toEqual([1, 2]);
});
