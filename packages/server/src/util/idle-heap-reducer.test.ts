import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { IdleHeapReducer } from './idle-heap-reducer.js';

const MiB = 1024 * 1024;
/** tsc's output of this module (npm test builds first): the child runs plain Node, without vitest. */
const BUILT = new URL('../../dist/util/idle-heap-reducer.js', import.meta.url);

/** A reducer over scripted samples: each `step` is one sample's loop utilization and heap size. */
function scripted(options: { minSpacingMs?: number } = {}) {
  let utilization = 0;
  let heap = 10 * MiB;
  let now = 0;
  const collected: number[] = [];
  const reducer = new IdleHeapReducer({
    quietSamples: 2,
    quietUtilization: 0.02,
    minGrowthBytes: MiB,
    minSpacingMs: options.minSpacingMs ?? 0,
    utilization: () => utilization,
    heapBytes: () => heap,
    now: () => now,
    collect: () => collected.push(now),
  });
  const step = (sample: { busy?: number; heapMiB?: number }) => {
    utilization = sample.busy ?? 0;
    if (sample.heapMiB !== undefined) heap = sample.heapMiB * MiB;
    now += 1000;
    reducer.sample();
  };
  return { reducer, step, collected };
}

describe('IdleHeapReducer', () => {
  it('collects once the loop has been quiet after a burst that grew the heap', () => {
    const { step, collected } = scripted();
    step({ busy: 0.6, heapMiB: 13 });
    step({ busy: 0.5, heapMiB: 15 });
    step({});
    expect(collected).toEqual([]);
    step({});
    expect(collected).toEqual([4000]);
    // Once per quiet spell: staying idle does not collect again.
    for (let i = 0; i < 5; i++) step({});
    expect(collected).toHaveLength(1);
  });

  it('never collects while the loop is busy', () => {
    const { step, collected } = scripted();
    for (let i = 0; i < 10; i++) step({ busy: 0.3, heapMiB: 12 + i });
    step({});
    step({ busy: 0.05 });
    step({});
    expect(collected).toEqual([]);
  });

  it('leaves a heap that did not grow past its low-water mark alone', () => {
    const { step, collected } = scripted();
    step({ busy: 0.6, heapMiB: 10.5 });
    step({});
    step({});
    expect(collected).toEqual([]);
    // The mark follows the heap down (what V8's own reducer gave back), so later growth counts from there.
    step({ heapMiB: 8 });
    step({ busy: 0.6, heapMiB: 9.5 });
    step({});
    step({});
    expect(collected).toHaveLength(1);
  });

  it('spaces collections out, and collects after the spacing if the work stopped', () => {
    const { step, collected } = scripted({ minSpacingMs: 10_000 });
    step({ busy: 0.6, heapMiB: 14 });
    step({});
    step({});
    expect(collected).toEqual([3000]);
    step({ busy: 0.6, heapMiB: 14 });
    step({ busy: 0.6, heapMiB: 16 });
    step({});
    step({});
    expect(collected).toHaveLength(1);
    for (let i = 0; i < 5; i++) step({});
    expect(collected).toHaveLength(1);
    step({});
    expect(collected).toEqual([3000, 13000]);
  });

  it('counts growth from the heap as it was after the last collection', () => {
    const { step, collected } = scripted();
    step({ busy: 0.6, heapMiB: 14 });
    step({});
    step({});
    expect(collected).toHaveLength(1);
    // Live data really grew: the heap after the collection is the new normal, and a burst that adds
    // less than minGrowthBytes to it is left alone.
    step({ busy: 0.6, heapMiB: 14.5 });
    step({});
    step({});
    expect(collected).toHaveLength(1);
    step({ busy: 0.6, heapMiB: 15.5 });
    step({});
    step({});
    expect(collected).toHaveLength(2);
  });

  it('releases native memory along with the collection, and on its own without gc', () => {
    const released: string[] = [];
    let utilization = 0.5;
    let heap = 10 * MiB;
    const reducer = new IdleHeapReducer({
      quietSamples: 1,
      minSpacingMs: 0,
      collect: undefined,
      release: () => released.push('sqlite'),
      utilization: () => utilization,
      heapBytes: () => heap,
    });
    expect(reducer.isEnabled).toBe(true);
    heap = 12 * MiB;
    reducer.sample();
    utilization = 0;
    reducer.sample();
    expect(released).toEqual(['sqlite']);
    expect(reducer.collections).toBe(1);
  });

  it('does nothing without a way to collect (no --expose-gc)', () => {
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
    const reducer = new IdleHeapReducer();
    expect(reducer.isEnabled).toBe(false);
    reducer.start();
    reducer.stop();
  });

  it('gives a burst’s memory back in a real V8 heap (forced collections drop unused bytecode)', () => {
    // A child with --expose-gc: compile and run a lot of code once (what creating sessions does),
    // go quiet, and let the default reducer collect. Its heap must end well below the burst's.
    const script = `
      const { IdleHeapReducer } = await import(${JSON.stringify(BUILT.href)});
      const v8 = await import('node:v8');
      const used = () => v8.getHeapStatistics().used_heap_size;
      const reducer = new IdleHeapReducer({ sampleMs: 50, quietSamples: 2, minSpacingMs: 0 });
      reducer.start();
      // The functions stay reachable: only dropping their bytecode can shrink the heap.
      const kept = [];
      for (let i = 0; i < 5000; i++) {
        const f = new Function('x', 'let s = 0; for (let j = 0; j < 3; j++) s += x * j + ' + i + '; return [s, ' + i + ', x + 1, x * 2, [x, x, x]];');
        f(i);
        kept.push(f);
      }
      globalThis.kept = kept;
      const afterBurst = used();
      const started = Date.now();
      while (reducer.collections === 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 100));
      console.log(JSON.stringify({ kept: globalThis.kept.length, collections: reducer.collections, afterBurst, afterIdle: used() }));
      reducer.stop();
    `;
    const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result.collections).toBe(1);
    expect(result.afterIdle).toBeLessThan(result.afterBurst - MiB);
  });
});
