import type { Session } from '@chatml/protocol';
import { safeLocalStorage } from './local-store';

const STORAGE_KEY = 'chatml.lastSeenSeq';
/** Sessions remembered at most; the least recently seen are forgotten first. */
const MAX_REMEMBERED = 500;

/**
 * Which sessions have news the user has not seen: per session, the highest event seq this browser
 * showed them, kept in localStorage. A session is unread when its last conversation event
 * (`activitySeq`: a message, output, a tool call, a question, a turn end, an error) is past that —
 * in practice when a turn ended or it started waiting for an answer while the user looked elsewhere.
 * Lifecycle bookkeeping (runner started/stopped, status changes), which a backend restart appends
 * to every session, moves `lastSeq` but not `activitySeq`, so it never counts. From a backend too
 * old to send `activitySeq`, `lastSeq` is compared instead.
 */
export class UnreadTracker {
  private seen: Map<string, number>;
  private readonly listeners = new Set<() => void>();
  private version = 0;

  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | undefined = safeLocalStorage(),
  ) {
    this.seen = load(storage);
  }

  /** Changes whenever anything was marked seen (for `useSyncExternalStore`). */
  getVersion = (): number => this.version;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  isUnread(session: Pick<Session, 'id' | 'lastSeq' | 'activitySeq' | 'status'>): boolean {
    if (session.status === 'archived') return false;
    return (session.activitySeq ?? session.lastSeq) > (this.seen.get(session.id) ?? 0);
  }

  /**
   * The user is looking at this session up to `seq`. Other tabs write the same item: what is stored
   * is read first and merged (the higher seq of each session wins), so no tab undoes another's.
   */
  markSeen(sessionId: string, seq: number): void {
    const seen = merged(load(this.storage), this.seen);
    const known = seen.get(sessionId) ?? 0;
    if (seq <= known) {
      this.adopt(seen);
      return;
    }
    seen.delete(sessionId);
    seen.set(sessionId, seq);
    while (seen.size > MAX_REMEMBERED) {
      const oldest = seen.keys().next().value;
      if (oldest === undefined) break;
      seen.delete(oldest);
    }
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify([...seen]));
    } catch {
      // Full or disabled storage: unread markers then last for this page only.
    }
    this.seen = seen;
    this.changed();
  }

  /**
   * Picks up what other tabs mark seen (the `storage` event fires in every other tab of the site),
   * so a session read in one tab loses its dot in all. Returns the function that stops listening.
   */
  followOtherTabs(target: EventTarget = window): () => void {
    const onStorage = (event: Event) => {
      const { key } = event as StorageEvent;
      // `key` is null when another tab cleared the whole storage: nothing to merge then either way.
      if (key === STORAGE_KEY) this.adopt(merged(load(this.storage), this.seen));
    };
    target.addEventListener('storage', onStorage);
    return () => target.removeEventListener('storage', onStorage);
  }

  /** Takes `seen` as this tab's, telling the listeners if a session's seq moved. */
  private adopt(seen: Map<string, number>): void {
    const hasMoved =
      seen.size !== this.seen.size || [...seen].some(([sessionId, seq]) => this.seen.get(sessionId) !== seq);
    this.seen = seen;
    if (hasMoved) this.changed();
  }

  private changed(): void {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }
}

/**
 * Both records in one: the higher seq of each session. The stored order (least recently seen
 * first) is kept; sessions only this tab knows follow it.
 */
function merged(stored: Map<string, number>, own: Map<string, number>): Map<string, number> {
  const result = new Map(stored);
  for (const [sessionId, seq] of own) if (seq > (result.get(sessionId) ?? 0)) result.set(sessionId, seq);
  return result;
}

function load(storage: Pick<Storage, 'getItem'> | undefined): Map<string, number> {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '[]');
    if (!Array.isArray(parsed)) return new Map();
    const entries = parsed.filter(
      (entry): entry is [string, number] =>
        Array.isArray(entry) && typeof entry[0] === 'string' && Number.isInteger(entry[1]),
    );
    return new Map(entries);
  } catch {
    // Unreadable or corrupt: start over rather than fail the app.
    return new Map();
  }
}
