import type { NewSessionEvent, ServerFrame, StoredEvent } from '@chatml/protocol';
import type { Logger } from '../logger.js';
import type { EventStore } from '../store/event-store.js';

/** The slice of a WebSocket the hub needs; `ws`'s WebSocket fits, and tests can fake it. */
export interface HubSocket {
  send(data: string): void;
  /** Bytes queued but not yet written to the network; grows when the peer stops reading. */
  readonly bufferedAmount: number;
  /** Drop the connection at once (the peer is hopelessly behind or gone). */
  terminate(): void;
}

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

interface Subscription {
  readonly client: HubClient;
  readonly sessionId: string;
  lastSentSeq: number;
  isLive: boolean;
  isCancelled: boolean;
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
  /** Frames held back until the current batch's transaction commits; null outside a batch. */
  private held: (() => void)[] | null = null;
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
  }

  /** Store the event, then deliver it to every live subscriber of its session. */
  publish(sessionId: string, event: NewSessionEvent): StoredEvent {
    const stored = this.store.append(sessionId, event);
    this.send(() => {
      const subscribers = this.liveBySession.get(sessionId);
      if (!subscribers || subscribers.size === 0) return;
      const frame = encodeEvent(sessionId, stored);
      for (const subscription of subscribers) this.deliverLive(subscription, stored.seq, frame);
    });
    return stored;
  }

  /** Send a frame that is not part of any session log (session list updates) to every client. */
  broadcast(frame: ServerFrame): void {
    const data = JSON.stringify(frame);
    this.send(() => {
      for (const client of this.clients) client.sendRaw(data);
    });
  }

  /**
   * Run `work` (e.g. handling one stdout chunk of a runner: often dozens of deltas) with every event
   * it publishes stored in one transaction, and nothing sent until that transaction committed — so
   * "stored before sent" holds, at a fraction of the cost of one commit per event. Replay cannot
   * interleave: the batch runs within one tick.
   */
  batch(work: () => void): void {
    if (this.held) {
      work();
      return;
    }
    const held: (() => void)[] = [];
    this.held = held;
    let isCommitted = false;
    try {
      this.store.transaction(work);
      isCommitted = true;
    } finally {
      this.held = null;
      if (isCommitted) {
        for (const deliver of held) deliver();
      } else {
        // Rolled back: nothing of it was sent, and cached seqs may be ahead of the table.
        this.store.forgetAll();
      }
    }
  }

  private send(deliver: () => void): void {
    if (this.held) this.held.push(deliver);
    else deliver();
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
      lastSentSeq: afterSeq,
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
      const page = this.store.after(sessionId, subscription.lastSentSeq, replayPageSize);
      if (page.length === 0) {
        // Same tick as the read above: from here on `publish` delivers, and nothing was missed.
        subscription.isLive = true;
        const live = this.liveBySession.get(sessionId) ?? new Set<Subscription>();
        this.liveBySession.set(sessionId, live);
        live.add(subscription);
        client.sendFrame({ type: 'subscribed', sessionId, lastSeq: subscription.lastSentSeq });
        return;
      }
      for (const event of page) {
        client.sendRaw(encodeEvent(sessionId, event));
        subscription.lastSentSeq = event.seq;
      }
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

function encodeEvent(sessionId: string, event: StoredEvent): string {
  return JSON.stringify({ type: 'event', sessionId, seq: event.seq, event } satisfies ServerFrame);
}

/** One connected WebSocket and its subscriptions (at most one per session). */
export class HubClient {
  private readonly subscriptions = new Map<string, Subscription>();
  private isClosed = false;

  constructor(
    private readonly hub: Hub,
    private readonly socket: HubSocket,
  ) {}

  subscribe(sessionId: string, afterSeq: number): void {
    const existing = this.subscriptions.get(sessionId);
    if (existing) this.hub.endSubscription(existing);
    this.subscriptions.delete(sessionId);
    const subscription = this.hub.startSubscription(this, sessionId, afterSeq);
    if (subscription) this.subscriptions.set(sessionId, subscription);
  }

  unsubscribe(sessionId: string): void {
    const existing = this.subscriptions.get(sessionId);
    if (existing) this.hub.endSubscription(existing);
    this.subscriptions.delete(sessionId);
  }

  /** @internal */
  forgetSubscription(subscription: Subscription): void {
    if (this.subscriptions.get(subscription.sessionId) === subscription)
      this.subscriptions.delete(subscription.sessionId);
  }

  sendFrame(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  sendRaw(data: string): void {
    if (this.isClosed) return;
    try {
      this.socket.send(data);
    } catch {
      // The socket is closing; its close handler disposes this client.
    }
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  async waitForDrain(belowBytes: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isClosed && this.socket.bufferedAmount > belowBytes) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return !this.isClosed;
  }

  terminate(): void {
    this.socket.terminate();
    this.dispose();
  }

  /** Called when the socket closes: ends every subscription. */
  dispose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const subscription of this.subscriptions.values()) this.hub.endSubscription(subscription);
    this.subscriptions.clear();
    this.hub.removeClient(this);
  }
}
