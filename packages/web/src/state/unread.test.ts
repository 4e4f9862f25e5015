import { describe, expect, it } from 'vitest';
import { UnreadTracker } from './unread';

function memoryStorage() {
  const values = new Map<string, string>();
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
  };
}

describe('UnreadTracker and activitySeq', () => {
  it('ignores lifecycle events a backend restart appends (lastSeq moves, activitySeq does not)', () => {
    const tracker = new UnreadTracker(memoryStorage());
    // The user saw the session when its log ended at seq 12 (a turn ended there).
    tracker.markSeen('a', 12);
    // Shutdown and start-up appended runner_stopped, status_changed, …: lastSeq 15, same activity.
    expect(tracker.isUnread({ id: 'a', lastSeq: 15, activitySeq: 12, status: 'idle' })).toBe(false);
  });

  it('shows new conversation activity as unread', () => {
    const tracker = new UnreadTracker(memoryStorage());
    tracker.markSeen('a', 15);
    expect(tracker.isUnread({ id: 'a', lastSeq: 20, activitySeq: 19, status: 'idle' })).toBe(true);
    tracker.markSeen('a', 20);
    expect(tracker.isUnread({ id: 'a', lastSeq: 20, activitySeq: 19, status: 'idle' })).toBe(false);
  });

  it('counts a session never opened as unread once it has activity, not before', () => {
    const tracker = new UnreadTracker(memoryStorage());
    expect(tracker.isUnread({ id: 'b', lastSeq: 3, activitySeq: 0, status: 'idle' })).toBe(false);
    expect(tracker.isUnread({ id: 'b', lastSeq: 5, activitySeq: 4, status: 'idle' })).toBe(true);
  });

  it('compares lastSeq when the backend does not send activitySeq (older backends)', () => {
    const tracker = new UnreadTracker(memoryStorage());
    tracker.markSeen('a', 12);
    expect(tracker.isUnread({ id: 'a', lastSeq: 12, status: 'idle' })).toBe(false);
    expect(tracker.isUnread({ id: 'a', lastSeq: 13, status: 'idle' })).toBe(true);
  });

  it('never marks an archived session unread', () => {
    const tracker = new UnreadTracker(memoryStorage());
    expect(tracker.isUnread({ id: 'a', lastSeq: 9, activitySeq: 9, status: 'archived' })).toBe(false);
  });
});
