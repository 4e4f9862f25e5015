import type { WsClient } from '../api/ws-client';
import type { FrameScheduler } from './frame-scheduler';
import { TranscriptStore } from './transcript-store';

/**
 * Keeps the transcripts of recently opened sessions, so switching back is instant and resumes the
 * subscription from the last seq received instead of replaying the whole log. Only the sessions on
 * screen are subscribed; the rest are kept up to `capacity` and then dropped, least recent first.
 */
export class TranscriptRegistry {
  private readonly stores = new Map<string, TranscriptStore>();
  /** Sessions subscribed right now: how many views show each, and how to stop watching it. */
  private readonly watching = new Map<string, { viewCount: number; stop: () => void }>();

  constructor(
    private readonly ws: Pick<WsClient, 'watch'>,
    private readonly capacity = 20,
    private readonly schedule?: FrameScheduler,
  ) {}

  /** Subscribe to a session while it is shown; call the returned function when it is not. */
  open(sessionId: string): { store: TranscriptStore; release: () => void } {
    let store = this.stores.get(sessionId);
    if (store) this.stores.delete(sessionId);
    store ??= new TranscriptStore(this.schedule);
    // Re-inserting marks it most recently used (Map keeps insertion order).
    this.stores.set(sessionId, store);
    this.evict();
    const current = this.watching.get(sessionId);
    if (current) current.viewCount += 1;
    else
      this.watching.set(sessionId, {
        viewCount: 1,
        stop: this.ws.watch(sessionId, store.receivedSeq, store),
      });
    let isReleased = false;
    const release = () => {
      const watching = this.watching.get(sessionId);
      if (isReleased || !watching) return;
      isReleased = true;
      watching.viewCount -= 1;
      if (watching.viewCount > 0) return;
      this.watching.delete(sessionId);
      watching.stop();
    };
    return { store, release };
  }

  private evict(): void {
    for (const [sessionId, store] of this.stores) {
      if (this.stores.size <= this.capacity) return;
      if (this.watching.has(sessionId)) continue;
      store.dispose();
      this.stores.delete(sessionId);
    }
  }
}
