import { describe, expect, it, vi } from 'vitest';
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

describe('UnreadTracker across tabs (one localStorage item)', () => {
  const session = (id: string, activitySeq: number) => ({
    id,
    lastSeq: activitySeq,
    activitySeq,
    status: 'idle' as const,
  });
  /** The event the browser fires in every other tab when one writes storage. */
  const storageEvent = (key: string | null) => Object.assign(new Event('storage'), { key });

  it('keeps what another tab marked seen when this one marks another session', () => {
    const storage = memoryStorage();
    const first = new UnreadTracker(storage);
    const second = new UnreadTracker(storage);
    first.markSeen('a', 10);
    second.markSeen('b', 20);
    // A third tab (a reload) finds both.
    const reloaded = new UnreadTracker(storage);
    expect(reloaded.isUnread(session('a', 10))).toBe(false);
    expect(reloaded.isUnread(session('b', 20))).toBe(false);
  });

  it('never lowers a session’s seen seq another tab stored higher', () => {
    const storage = memoryStorage();
    const behind = new UnreadTracker(storage);
    behind.markSeen('a', 5);
    new UnreadTracker(storage).markSeen('a', 30);
    behind.markSeen('a', 12);
    expect(new UnreadTracker(storage).isUnread(session('a', 30))).toBe(false);
    expect(behind.isUnread(session('a', 30))).toBe(false);
  });

  it('drops the dot of a session read in another tab, and tells its listeners', () => {
    const storage = memoryStorage();
    const page = new EventTarget();
    const here = new UnreadTracker(storage);
    here.followOtherTabs(page);
    const listener = vi.fn();
    here.subscribe(listener);
    expect(here.isUnread(session('a', 7))).toBe(true);

    new UnreadTracker(storage).markSeen('a', 7);
    page.dispatchEvent(storageEvent('chatml.draft:session:ws_1:a'));
    expect(listener).not.toHaveBeenCalled();
    page.dispatchEvent(storageEvent('chatml.lastSeenSeq'));
    expect(here.isUnread(session('a', 7))).toBe(false);
    expect(listener).toHaveBeenCalledOnce();
  });

  it('stops following other tabs when told to', () => {
    const storage = memoryStorage();
    const page = new EventTarget();
    const here = new UnreadTracker(storage);
    here.followOtherTabs(page)();
    new UnreadTracker(storage).markSeen('a', 7);
    page.dispatchEvent(storageEvent('chatml.lastSeenSeq'));
    expect(here.isUnread(session('a', 7))).toBe(true);
  });
});
