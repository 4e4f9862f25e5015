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

  /** The user is looking at this session up to `seq`. */
  markSeen(sessionId: string, seq: number): void {
    const known = this.seen.get(sessionId) ?? 0;
    if (seq <= known) return;
    this.seen.delete(sessionId);
    this.seen.set(sessionId, seq);
    while (this.seen.size > MAX_REMEMBERED) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify([...this.seen]));
    } catch {
      // Full or disabled storage: unread markers then last for this page only.
    }
    this.version += 1;
    for (const listener of this.listeners) listener();
  }
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
