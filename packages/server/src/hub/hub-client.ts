import type { ServerFrame } from '@chatml/protocol';
import type { Hub } from './hub.js';

/** The slice of a WebSocket the hub needs; `ws`'s WebSocket fits, and tests can fake it. */
export interface HubSocket {
  send(data: string): void;
  /** Bytes queued but not yet written to the network; grows when the peer stops reading. */
  readonly bufferedAmount: number;
  /** Drop the connection at once (the peer is hopelessly behind or gone). */
  terminate(): void;
}

/** One client's subscription to one session: replaying from the store, then live. */
export interface Subscription {
  readonly client: HubClient;
  readonly sessionId: string;
  lastSentSeq: number;
  isLive: boolean;
  isCancelled: boolean;
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
