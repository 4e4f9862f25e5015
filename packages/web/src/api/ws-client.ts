import {
  type ClientFrame,
  PROTOCOL_VERSION,
  ServerFrame,
  type StoredEvent,
  WS_PROTOCOL,
  WS_TOKEN_PREFIX,
} from '@chatml/protocol';
import { backoffDelay } from './backoff';

/** What the banner shows. `offline` means several attempts in a row failed: the backend is gone. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** The slice of the browser's WebSocket this client uses; tests inject a fake. */
export interface WebSocketLike {
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onmessage: ((message: MessageEvent) => void) | null;
  send(data: string): void;
  close(): void;
}

export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

/** Receives one session's log. Events arrive in seq order, each exactly once. */
export interface SessionWatcher {
  onEvent(event: StoredEvent): void;
  /** Replay has reached the live edge (sent again after every resubscribe). */
  onCaughtUp?(lastSeq: number): void;
  onError?(code: string, message: string): void;
}

export interface WsClientOptions {
  url: string;
  token: string;
  createSocket?: WebSocketFactory;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  /** Consecutive failed attempts after which the state turns from `reconnecting` to `offline`. */
  offlineAfterAttempts?: number;
  /** Ping interval; a connection that leaves a ping unanswered for two intervals is dead. 0 disables. */
  heartbeatMs?: number;
  logger?: Pick<Console, 'warn' | 'error'>;
}

interface Watch {
  /** The highest seq delivered to the watcher: where a (re)subscription resumes. */
  lastSeq: number;
  watcher: SessionWatcher;
  /** A gap was seen and a fresh subscription asked for; events until it arrives are dropped. */
  isResyncing: boolean;
}

/**
 * The `/ws` connection: authenticates with the token subprotocol, parses every frame with the
 * protocol's schema, reconnects with exponential backoff and jitter, and resubscribes each watched
 * session from the last seq it delivered — so a reconnect neither loses nor doubles an event.
 */
export class WsClient {
  private readonly options: Required<WsClientOptions>;
  private readonly watches = new Map<string, Watch>();
  private readonly stateListeners = new Set<() => void>();
  private readonly frameListeners = new Set<(frame: ServerFrame) => void>();
  private socket: WebSocketLike | undefined;
  private state: ConnectionState = 'connecting';
  private failedAttempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private isStopped = true;

  constructor(options: WsClientOptions) {
    this.options = {
      createSocket: (url, protocols) => new WebSocket(url, protocols),
      initialBackoffMs: 500,
      maxBackoffMs: 15_000,
      random: Math.random,
      offlineAfterAttempts: 3,
      heartbeatMs: 5_000,
      logger: console,
      ...options,
    };
  }

  start(): void {
    if (!this.isStopped) return;
    this.isStopped = false;
    this.connect();
  }

  stop(): void {
    this.isStopped = true;
    clearTimeout(this.reconnectTimer);
    this.detachSocket()?.close();
  }

  getState = (): ConnectionState => this.state;

  onStateChange = (listener: () => void): (() => void) => {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  };

  /** Every valid frame, after session watchers have seen it (for list views). */
  onFrame(listener: (frame: ServerFrame) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  /** Follow a session from `afterSeq` on. One watcher per session; a new one replaces the old. */
  watch(sessionId: string, afterSeq: number, watcher: SessionWatcher): () => void {
    const watch: Watch = { lastSeq: afterSeq, watcher, isResyncing: false };
    this.watches.set(sessionId, watch);
    this.subscribe(sessionId, watch);
    return () => {
      if (this.watches.get(sessionId) !== watch) return;
      this.watches.delete(sessionId);
      this.send({ type: 'unsubscribe', sessionId });
    };
  }

  /** Skip the backoff wait (the user pressed "Retry now", or the browser came back online). */
  reconnectNow(): void {
    if (this.isStopped || this.socket) return;
    clearTimeout(this.reconnectTimer);
    this.connect();
  }

  private connect(): void {
    const { url, token, createSocket } = this.options;
    const socket = createSocket(url, [WS_PROTOCOL, WS_TOKEN_PREFIX + token]);
    this.socket = socket;
    socket.onopen = () => {
      this.failedAttempts = 0;
      this.lastFrameAt = Date.now();
      this.setState('connected');
      for (const [sessionId, watch] of this.watches) this.subscribe(sessionId, watch);
      this.startHeartbeat();
    };
    socket.onmessage = (message) => this.handleMessage(message.data);
    // Browsers give an error no detail and always follow it with close, which does the work.
    socket.onerror = () => undefined;
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.detachSocket();
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.isStopped) return;
    this.failedAttempts += 1;
    const { offlineAfterAttempts, initialBackoffMs, maxBackoffMs, random } = this.options;
    this.setState(this.failedAttempts >= offlineAfterAttempts ? 'offline' : 'reconnecting');
    const delay = backoffDelay(this.failedAttempts, initialBackoffMs, maxBackoffMs, random);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** Forget the current socket so its late events are ignored; returns it for closing. */
  private detachSocket(): WebSocketLike | undefined {
    const socket = this.socket;
    this.socket = undefined;
    clearInterval(this.heartbeatTimer);
    if (socket) {
      socket.onopen = null;
      socket.onmessage = null;
      socket.onclose = null;
    }
    return socket;
  }

  /**
   * A ping every `heartbeatMs`; a connection that has not answered one for two intervals is dead —
   * a hung backend (or a half-open socket, which never fires close) shows as "reconnecting" within
   * 10–15 s instead of a clock ticking on. Judged from the unanswered ping, not from silence in
   * general: a hidden tab's timers run as rarely as once a minute, and an idle backend sends
   * nothing unasked.
   */
  private startHeartbeat(): void {
    const { heartbeatMs } = this.options;
    if (heartbeatMs <= 0) return;
    let pingSentAt: number | undefined;
    this.heartbeatTimer = setInterval(() => {
      const now = Date.now();
      if (pingSentAt !== undefined && this.lastFrameAt < pingSentAt) {
        if (now - pingSentAt < 2 * heartbeatMs) return; // still waiting for the answer
        this.options.logger.warn('chatml: the backend stopped answering; reconnecting');
        this.detachSocket()?.close();
        this.scheduleReconnect();
        return;
      }
      pingSentAt = now;
      this.send({ type: 'ping' });
    }, heartbeatMs);
  }

  private subscribe(sessionId: string, watch: Watch): void {
    this.send({ type: 'subscribe', sessionId, afterSeq: watch.lastSeq });
  }

  private send(frame: ClientFrame): void {
    // Not connected: nothing to do, `onopen` subscribes every watched session from its last seq.
    if (this.state !== 'connected' || !this.socket) return;
    this.socket.send(JSON.stringify(frame));
  }

  private handleMessage(data: unknown): void {
    const frame = parseFrame(data, this.options.logger);
    if (!frame) return;
    this.lastFrameAt = Date.now();
    switch (frame.type) {
      case 'event':
        this.deliverEvent(frame.sessionId, frame.event);
        break;
      case 'events':
        for (const event of frame.events) this.deliverEvent(frame.sessionId, event);
        break;
      case 'subscribed': {
        const watch = this.watches.get(frame.sessionId);
        watch?.watcher.onCaughtUp?.(frame.lastSeq);
        break;
      }
      case 'resubscribe': {
        // The server stopped live delivery; pick up from what we actually have.
        const watch = this.watches.get(frame.sessionId);
        if (watch) this.subscribe(frame.sessionId, watch);
        break;
      }
      case 'error':
        if (frame.sessionId) this.watches.get(frame.sessionId)?.watcher.onError?.(frame.code, frame.message);
        else this.options.logger.warn(`chatml: server error frame ${frame.code}: ${frame.message}`);
        break;
      case 'hello':
        if (frame.protocolVersion !== PROTOCOL_VERSION) {
          this.options.logger.error(
            `chatml: backend speaks protocol ${frame.protocolVersion}, this UI ${PROTOCOL_VERSION}; reload the page`,
          );
        }
        break;
      default:
        break;
    }
    for (const listener of this.frameListeners) listener(frame);
  }

  private deliverEvent(sessionId: string, event: StoredEvent): void {
    const watch = this.watches.get(sessionId);
    if (!watch) return;
    // Already delivered (a replay overlapping live delivery): dropping it is what keeps text single.
    if (event.seq <= watch.lastSeq) return;
    if (event.seq !== watch.lastSeq + 1) {
      if (!watch.isResyncing) {
        this.options.logger.warn(`chatml: gap in ${sessionId} after seq ${watch.lastSeq}; resubscribing`);
        watch.isResyncing = true;
        this.subscribe(sessionId, watch);
      }
      return;
    }
    watch.isResyncing = false;
    watch.lastSeq = event.seq;
    watch.watcher.onEvent(event);
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener();
  }
}

function parseFrame(data: unknown, logger: Pick<Console, 'warn'>): ServerFrame | undefined {
  if (typeof data !== 'string') {
    logger.warn('chatml: ignoring a non-text WebSocket message');
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    logger.warn('chatml: ignoring a WebSocket message that is not JSON');
    return undefined;
  }
  const parsed = ServerFrame.safeParse(json);
  if (!parsed.success) {
    logger.warn('chatml: ignoring a malformed WebSocket frame', parsed.error.issues);
    return undefined;
  }
  return parsed.data;
}

/** `ws://host/ws` for the page's own origin (the backend only accepts its own origin anyway). */
export function defaultWsUrl(location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}
