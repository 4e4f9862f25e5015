import type { NewSessionEvent, ServerFrame, StoredEvent } from '@chatml/protocol';
import type { Logger } from '../logger.js';
import type { EventStore } from '../store/event-store.js';
import { rateLimited } from '../util/rate-limited.js';
import { type Delta, DeltaCoalescer } from './delta-coalescer.js';
import { encodeEvents } from './event-frames.js';
import { HubClient, type HubSocket, type Subscription } from './hub-client.js';

export { HubClient, type HubSocket } from './hub-client.js';

export interface HubOptions {
  /** Above this many buffered bytes a client is behind: live events stop and it is told to resubscribe. */
  highWaterBytes?: number;
  /** Above this a client is dropped outright, so one stuck tab can never hold unbounded memory. */
  hardLimitBytes?: number;
  /** How long replay waits for a client to drain before giving up on it. */
  drainTimeoutMs?: number;
  replayPageSize?: number;
  logger: Logger;
}

/** A stored event on its way out: `json` is its StoredEvent encoding, made once for every client. */
interface HeldEvent {
  readonly sessionId: string;
  readonly seq: number;
  readonly json: string;
}

/** Events a failed batch could not store, kept to store again; past this many they are given up. */
const MAX_UNSTORED_EVENTS = 200_000;

/** How soon a batch that could not be stored is tried again when nothing else comes. */
const RETRY_UNSTORED_MS = 1000;

/** An event of a batch that could not be stored: published again, in order, by the next batch. */
interface UnstoredEvent {
  readonly sessionId: string;
  readonly event: NewSessionEvent;
}

/**
 * Fans session events out to WebSocket clients with no loss, gap or duplicate.
 *
 * `publish` appends to the store and then sends to live subscribers, synchronously. A subscriber
 * first replays from the store in pages; the read that finds nothing more and the switch to live
 * happen in the same tick, so no event can fall between replay and live delivery.
 */
export class Hub {
  private readonly liveBySession = new Map<string, Set<Subscription>>();
  private readonly clients = new Set<HubClient>();
  /** Events stored by the batch in progress, sent once it commits; null outside a batch. */
  private held: HeldEvent[] | null = null;
  private heldBroadcasts: (() => void)[] = [];
  /** Per session, the stream deltas of the batch in progress waiting to be stored as one event. */
  private readonly pendingDeltas = new DeltaCoalescer();
  private queued: (() => void)[] = [];
  /** A failed batch's events and broadcasts, in order, waiting for storage to work again. */
  private unstored: UnstoredEvent[] = [];
  private unstoredBroadcasts: (() => void)[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly reportStoreFailure: (error: Error) => void;
  private afterFlush: (() => void)[] = [];
  private isFlushScheduled = false;
  readonly options: Required<Omit<HubOptions, 'logger'>> & { logger: Logger };

  constructor(
    private readonly store: EventStore,
    private readonly sessionExists: (sessionId: string) => boolean,
    options: HubOptions,
  ) {
    this.options = {
      highWaterBytes: 1024 * 1024,
      hardLimitBytes: 16 * 1024 * 1024,
      drainTimeoutMs: 30_000,
      replayPageSize: 500,
      ...options,
    };
    this.reportStoreFailure = rateLimited(5000, (error: Error, skipped) =>
      this.options.logger.error(
        `storing session events failed (${this.unstored.length} waiting to be stored, tried again every second): ${error.message}${skipped ? ` (${skipped} more failures since)` : ''}`,
      ),
    );
  }

  /**
   * Store the event, then deliver it to every live subscriber of its session: at once outside a
   * batch, after the batch's commit inside one.
   */
  publish(sessionId: string, event: NewSessionEvent): StoredEvent {
    // Events of a batch that could not be stored come first: stored now, or this one is refused.
    if (!this.held && this.unstored.length > 0) this.retryUnstored({ rethrow: true });
    // A delta still pending for this session was received before this event: it is stored first.
    if (this.pendingDeltas.size > 0) this.storePendingDelta(sessionId);
    const { event: stored, json } = this.store.appendEncoded(sessionId, event);
    if (this.held) this.held.push({ sessionId, seq: stored.seq, json });
    else this.deliver([{ sessionId, seq: stored.seq, json }]);
    return stored;
  }

  /**
   * Publish a streamed text/tool-input delta. Inside a batch, consecutive deltas of the same block
   * are coalesced into one event (their texts joined, in order) that is stored when anything else
   * of the session is published or the batch ends. Under load a loop turn holds many deltas per
   * session; storing, encoding, sending and rendering one event for them all is what keeps the
   * backend from falling further behind exactly when it is behind. Idle, a batch holds one delta
   * and nothing changes. Nothing is lost: the client's text is the same concatenation either way.
   */
  publishDelta(sessionId: string, delta: Delta): void {
    if (!this.held) {
      this.publish(sessionId, { type: 'stream_delta', payload: delta });
      return;
    }
    if (this.pendingDeltas.tryJoin(sessionId, delta)) return;
    this.storePendingDelta(sessionId);
    this.pendingDeltas.start(sessionId, delta);
  }

  private storePendingDelta(sessionId: string): void {
    const pending = this.pendingDeltas.take(sessionId);
    if (pending) this.publish(sessionId, { type: 'stream_delta', payload: pending });
  }

  private storePendingDeltas(): void {
    for (const sessionId of this.pendingDeltas.sessions()) this.storePendingDelta(sessionId);
  }

  /** Send a frame that is not part of any session log (session list updates) to every client. */
  broadcast(frame: ServerFrame): void {
    const data = JSON.stringify(frame);
    const sendAll = () => {
      for (const client of this.clients) client.sendRaw(data);
    };
    // Inside a batch it waits until the batch is stored, so it never overtakes events published
    // before it; so it does behind a batch that could not be stored yet.
    if (this.held) this.heldBroadcasts.push(sendAll);
    else if (this.unstored.length > 0) this.unstoredBroadcasts.push(sendAll);
    else sendAll();
  }

  /**
   * Run `work` (e.g. handling one stdout chunk of a runner: often dozens of deltas) with every event
   * it publishes stored with one journal write (store/event-journal.ts), and nothing sent until that
   * write is done — so "stored before sent" holds, at a fraction of the cost of storing each event
   * on its own. Replay cannot interleave: the batch runs within one tick.
   */
  batch(work: () => void): void {
    if (this.held) {
      work();
      return;
    }
    const held: HeldEvent[] = [];
    this.held = held;
    // A batch that could not be stored before goes first, so every session's order is kept.
    const unstored = this.unstored;
    this.heldBroadcasts = this.unstoredBroadcasts;
    this.unstored = [];
    this.unstoredBroadcasts = [];
    let isCommitted = false;
    try {
      this.store.transaction(() => {
        for (const { sessionId, event } of unstored) this.publish(sessionId, event);
        work();
        this.storePendingDeltas();
      });
      isCommitted = true;
    } finally {
      this.pendingDeltas.clear();
      const broadcasts = this.heldBroadcasts;
      this.held = null;
      this.heldBroadcasts = [];
      if (isCommitted) {
        this.deliver(held);
        for (const sendAll of broadcasts) sendAll();
      } else {
        // Not stored (the store forgot its events and gives their seqs out again): nothing of it
        // was sent. Its events are kept and published again, first, by the next batch — so a full
        // disk delays a session's output instead of losing it.
        this.store.forgetAll();
        this.keepUnstored(held.map(toUnstored), broadcasts);
      }
    }
  }

  private keepUnstored(events: UnstoredEvent[], broadcasts: (() => void)[]): void {
    if (events.length > MAX_UNSTORED_EVENTS) {
      this.options.logger.error(
        `gave up storing ${events.length} session events: storage has failed for too long (see the errors before)`,
      );
      events = [];
    }
    this.unstored = events;
    this.unstoredBroadcasts = broadcasts;
    if (!this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (this.unstored.length > 0 && !this.held) this.retryUnstored({ rethrow: false });
      }, RETRY_UNSTORED_MS);
      this.retryTimer.unref();
    }
  }

  /** Store (and then send) what a failed batch left, on its own. */
  private retryUnstored({ rethrow }: { rethrow: boolean }): void {
    try {
      this.batch(() => {});
    } catch (error) {
      this.reportStoreFailure(error as Error);
      if (rethrow) throw error;
    }
  }

  /**
   * Queue `work` for this event-loop turn's flush: everything queued before the flush (every
   * runner's stdout chunks that arrived together) runs in one batch — one commit, and one frame per
   * subscriber and session. Under load more arrives per turn, so the cost per event falls exactly
   * when it matters; when idle a flush holds one chunk and adds no more than a loop turn.
   */
  enqueue(work: () => void): void {
    this.queued.push(work);
    if (this.isFlushScheduled) return;
    this.isFlushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Run `then` once every piece of work queued so far has been flushed (at once if none is). */
  whenFlushed(then: () => void): void {
    if (this.isFlushScheduled) this.afterFlush.push(then);
    else then();
  }

  /** Flush what is queued now (also used at shutdown, so nothing accepted is left unstored). */
  flush(): void {
    this.isFlushScheduled = false;
    const queued = this.queued;
    const afterFlush = this.afterFlush;
    this.queued = [];
    this.afterFlush = [];
    if (queued.length > 0 || this.unstored.length > 0) {
      try {
        this.batch(() => {
          for (const work of queued) this.runQueued(work);
        });
      } catch (error) {
        this.reportStoreFailure(error as Error);
      }
    }
    for (const then of afterFlush) then();
  }

  private runQueued(work: () => void): void {
    try {
      work();
    } catch (error) {
      // One session's bad chunk must not cost the others theirs (they share the transaction).
      this.options.logger.error(`handling runner output failed: ${(error as Error).stack ?? error}`);
    }
  }

  /** Send stored events to their sessions' live subscribers, one frame per subscriber and session. */
  private deliver(events: readonly HeldEvent[]): void {
    if (events.length === 0) return;
    const bySession = new Map<string, HeldEvent[]>();
    for (const event of events) {
      const subscribers = this.liveBySession.get(event.sessionId);
      if (!subscribers || subscribers.size === 0) continue;
      const list = bySession.get(event.sessionId);
      if (list) list.push(event);
      else bySession.set(event.sessionId, [event]);
    }
    for (const [sessionId, list] of bySession) {
      const frame = encodeEvents(sessionId, list);
      const lastSeq = list[list.length - 1]?.seq ?? 0;
      for (const subscription of this.liveBySession.get(sessionId) ?? []) {
        this.deliverLive(subscription, lastSeq, frame);
      }
    }
  }

  connect(socket: HubSocket): HubClient {
    const client = new HubClient(this, socket);
    this.clients.add(client);
    return client;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** @internal */
  startSubscription(client: HubClient, sessionId: string, afterSeq: number): Subscription | undefined {
    if (!this.sessionExists(sessionId)) {
      client.sendFrame({
        type: 'error',
        code: 'not_found',
        message: `Session ${sessionId} does not exist.`,
        sessionId,
      });
      return undefined;
    }
    const subscription: Subscription = {
      client,
      sessionId,
      // A client claiming more than the log holds (it kept a view from before the data was reset,
      // or it is wrong) is answered from the real end: `subscribed` then says the log's last seq,
      // and every event after it is sent, rather than confirming seqs that do not exist.
      lastSentSeq: Math.min(afterSeq, this.store.lastSeq(sessionId)),
      isLive: false,
      isCancelled: false,
    };
    this.replay(subscription).catch((error: Error) => {
      // A store failure mid-replay: drop this client (it reconnects and resubscribes) rather than
      // leave it believing it has everything.
      this.options.logger.error(`replay of ${sessionId} failed: ${error.message}`);
      client.terminate();
    });
    return subscription;
  }

  /** @internal */
  endSubscription(subscription: Subscription): void {
    subscription.isCancelled = true;
    this.liveBySession.get(subscription.sessionId)?.delete(subscription);
  }

  /** @internal */
  removeClient(client: HubClient): void {
    this.clients.delete(client);
  }

  private async replay(subscription: Subscription): Promise<void> {
    const { client, sessionId } = subscription;
    const { replayPageSize, highWaterBytes } = this.options;
    for (;;) {
      if (subscription.isCancelled) return;
      const page = this.store.afterEncoded(sessionId, subscription.lastSentSeq, replayPageSize);
      if (page.length === 0) {
        // Same tick as the read above: from here on `publish` delivers, and nothing was missed.
        subscription.isLive = true;
        const live = this.liveBySession.get(sessionId) ?? new Set<Subscription>();
        this.liveBySession.set(sessionId, live);
        live.add(subscription);
        client.sendFrame({ type: 'subscribed', sessionId, lastSeq: subscription.lastSentSeq });
        return;
      }
      // Replay pages go out whole: one frame per page, as the store already holds each event's JSON.
      client.sendRaw(encodeEvents(sessionId, page));
      subscription.lastSentSeq = page[page.length - 1]?.seq ?? subscription.lastSentSeq;
      if (client.bufferedAmount > highWaterBytes) {
        const drained = await client.waitForDrain(highWaterBytes / 2, this.options.drainTimeoutMs);
        if (!drained) {
          this.options.logger.warn(`ws client stopped reading during replay of ${sessionId}; dropping it`);
          client.terminate();
          return;
        }
      } else if (page.length === replayPageSize) {
        // Let live traffic and other clients run between pages of a long replay.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  private deliverLive(subscription: Subscription, seq: number, frame: string): void {
    const { client } = subscription;
    if (client.bufferedAmount > this.options.hardLimitBytes) {
      this.options.logger.warn('ws client exceeded its buffer limit; dropping it');
      client.terminate();
      return;
    }
    if (client.bufferedAmount > this.options.highWaterBytes) {
      // Too far behind: stop live delivery and let the client catch up from the store at its pace.
      this.endSubscription(subscription);
      client.forgetSubscription(subscription);
      client.sendFrame({
        type: 'resubscribe',
        sessionId: subscription.sessionId,
        afterSeq: subscription.lastSentSeq,
        reason: 'Your connection fell behind; subscribe again from afterSeq to catch up.',
      });
      return;
    }
    client.sendRaw(frame);
    subscription.lastSentSeq = seq;
  }
}

/** A held event as it was published, read back from its JSON (only when a batch failed). */
function toUnstored(held: HeldEvent): UnstoredEvent {
  const { type, payload } = JSON.parse(held.json) as StoredEvent;
  return { sessionId: held.sessionId, event: { type, payload } as NewSessionEvent };
}
