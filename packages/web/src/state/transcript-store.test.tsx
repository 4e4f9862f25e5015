import type { StoredEvent } from '@chatml/protocol';
import { describe, expect, it, vi } from 'vitest';
import { TranscriptRegistry } from './transcript-registry';
import { TranscriptStore } from './transcript-store';

function delta(seq: number, text: string): StoredEvent {
  return {
    seq,
    type: 'stream_delta',
    ts: seq,
    payload: { turnId: 't', messageId: 'm', blockIndex: 0, kind: 'text', text },
  };
}

/** A scheduler the test runs by hand, standing in for requestAnimationFrame. */
function manualScheduler() {
  const queue: Array<() => void> = [];
  const schedule = (callback: () => void) => {
    queue.push(callback);
    return () => queue.splice(queue.indexOf(callback), 1);
  };
  return {
    schedule,
    runFrame: () => {
      for (const callback of queue.splice(0)) callback();
    },
    queue,
  };
}

describe('TranscriptStore', () => {
  it('applies a burst of deltas once per frame and notifies once', () => {
    const frames = manualScheduler();
    const store = new TranscriptStore(frames.schedule);
    const listener = vi.fn();
    store.subscribe(listener);
    for (let seq = 1; seq <= 50; seq += 1) store.onEvent(delta(seq, 'x'));
    expect(frames.queue).toHaveLength(1);
    expect(store.getSnapshot().transcript.items).toHaveLength(0);
    expect(store.receivedSeq).toBe(50);
    frames.runFrame();
    expect(listener).toHaveBeenCalledOnce();
    const [item] = store.getSnapshot().transcript.items;
    expect(item?.kind === 'text' && item.text).toBe('x'.repeat(50));
  });

  it('flushes pending events before reporting that replay caught up', () => {
    const frames = manualScheduler();
    const store = new TranscriptStore(frames.schedule);
    store.onEvent(delta(1, 'hi'));
    store.onCaughtUp();
    expect(store.getSnapshot()).toMatchObject({ isCaughtUp: true });
    expect(store.getSnapshot().transcript.lastSeq).toBe(1);
  });
});

describe('TranscriptRegistry', () => {
  it('resumes a reopened session from the last seq it received', () => {
    const frames = manualScheduler();
    const unwatch = vi.fn();
    const ws = { watch: vi.fn(() => unwatch) };
    const registry = new TranscriptRegistry(ws, 20, frames.schedule);
    const first = registry.open('ses_1');
    first.store.onEvent(delta(1, 'a'));
    first.store.onEvent(delta(2, 'b'));
    first.release();
    expect(unwatch).toHaveBeenCalledOnce();
    registry.open('ses_1');
    expect(ws.watch).toHaveBeenLastCalledWith('ses_1', 2, first.store);
  });

  it('shares one subscription between views of the same session', () => {
    const unwatch = vi.fn();
    const ws = { watch: vi.fn(() => unwatch) };
    const registry = new TranscriptRegistry(ws);
    const a = registry.open('ses_1');
    const b = registry.open('ses_1');
    expect(ws.watch).toHaveBeenCalledOnce();
    a.release();
    expect(unwatch).not.toHaveBeenCalled();
    b.release();
    expect(unwatch).toHaveBeenCalledOnce();
  });
});
