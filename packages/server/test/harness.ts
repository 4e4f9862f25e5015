import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ServerFrame, type Session, type StoredEvent } from '@chatml/protocol';
import {
  createTempRepo,
  FakeAnthropicServer,
  makeTempDir,
  type ReplyHandler,
  type TempDir,
  type TempRepo,
} from '@chatml/testkit';
import WebSocket from 'ws';
import { silentLogger } from '../src/logger.js';
import { type RunningServer, type ServerOptions, startServer } from '../src/server.js';

/**
 * One backend under test: the real server in this process, real runner processes and the real SDK
 * talking to the testkit's fake Messages API, a real temp git repository, and a temp data dir.
 */
export class Harness {
  server!: RunningServer;
  readonly sockets = new Set<WsClient>();

  private constructor(
    readonly fake: FakeAnthropicServer,
    readonly home: TempDir,
    readonly repo: TempRepo,
    private readonly serverOptions: Partial<ServerOptions>,
  ) {}

  /** Added to `env` (e.g. GITHUB_TOKEN); change it and `restart()` to start with another environment. */
  envOverrides: NodeJS.ProcessEnv = {};

  static async start(
    options: { handler?: ReplyHandler; server?: Partial<ServerOptions>; env?: NodeJS.ProcessEnv } = {},
  ): Promise<Harness> {
    const fake = await FakeAnthropicServer.start({ handler: options.handler });
    const home = await makeTempDir('home');
    const repo = await createTempRepo({
      files: { 'README.md': '# demo\n', 'src/app.ts': 'export const x = 1;\n' },
    });
    const harness = new Harness(fake, home, repo, options.server ?? {});
    harness.envOverrides = options.env ?? {};
    await harness.boot();
    return harness;
  }

  /** The environment a user would start ChatML with; the model endpoint comes from it alone. */
  get env(): NodeJS.ProcessEnv {
    const userHome = join(this.home.path, 'user-home');
    mkdirSync(userHome, { recursive: true });
    return {
      PATH: process.env.PATH,
      HOME: userHome,
      CLAUDE_CONFIG_DIR: join(userHome, '.claude'),
      ANTHROPIC_BASE_URL: this.fake.url,
      ANTHROPIC_API_KEY: 'sk-test-not-a-secret',
      CLAUDE_CODE_MAX_RETRIES: '0',
      IS_SANDBOX: '1',
      ...this.envOverrides,
    };
  }

  async boot(): Promise<void> {
    this.server = await startServer({
      home: join(this.home.path, 'chatml'),
      port: 0,
      env: this.env,
      logger: silentLogger,
      ...this.serverOptions,
    });
  }

  /** Stop the backend the way a crash or restart would find it, then start a new one on the same data. */
  async restart(): Promise<void> {
    for (const socket of this.sockets) socket.close();
    await this.server.close();
    await this.boot();
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.server.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.server.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async addWorkspace(): Promise<string> {
    const { status, body } = await this.request<{ id: string }>('POST', '/workspaces', {
      path: this.repo.path,
    });
    if (status !== 201) throw new Error(`adding the workspace failed: ${status} ${JSON.stringify(body)}`);
    return body.id;
  }

  async createSession(workspaceId: string, body: Record<string, unknown>): Promise<Session> {
    const response = await this.request<Session>('POST', `/workspaces/${workspaceId}/sessions`, body);
    if (response.status !== 201)
      throw new Error(`creating a session failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  async events(sessionId: string, after = 0): Promise<StoredEvent[]> {
    return (
      await this.request<{ events: StoredEvent[] }>(
        'GET',
        `/sessions/${sessionId}/events?after=${after}&limit=10000`,
      )
    ).body.events;
  }

  /** Poll the event log until an event matches (tests wait on facts, not on time). */
  async waitForEvent(
    sessionId: string,
    predicate: (event: StoredEvent) => boolean,
    timeoutMs = 30_000,
  ): Promise<StoredEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.events(sessionId)).find(predicate);
      if (found) return found;
      if (Date.now() > deadline) {
        const types = (await this.events(sessionId)).map((event) => event.type).join(', ');
        throw new Error(`timed out waiting for an event in ${sessionId}; log: ${types}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Wait for the nth `turn_ended` of a session (1-based). */
  async waitForTurnEnd(sessionId: string, nth = 1, timeoutMs = 30_000): Promise<StoredEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ended = (await this.events(sessionId)).filter((event) => event.type === 'turn_ended');
      if (ended.length >= nth) return ended[nth - 1]!;
      if (Date.now() > deadline) throw new Error(`timed out waiting for turn ${nth} of ${sessionId} to end`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async ws(headers: Record<string, string> = {}): Promise<WsClient> {
    const client = await WsClient.connect(`ws://127.0.0.1:${this.server.port}/ws`, {
      authorization: `Bearer ${this.server.token}`,
      ...headers,
    });
    this.sockets.add(client);
    return client;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.close();
    await this.server.close();
    await this.fake.close();
    await this.repo.cleanup();
    await this.home.cleanup();
  }
}

/**
 * A test's WebSocket client. Every frame is validated against the protocol, and an `events` frame
 * (several events in one message) is recorded as the `event` frames it stands for, so suites reason
 * about events rather than framing (the hub suite tests the framing itself).
 */
export class WsClient {
  readonly frames: ServerFrame[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = ServerFrame.parse(JSON.parse(data.toString()));
      if (frame.type === 'events') {
        for (const event of frame.events)
          this.frames.push({ type: 'event', sessionId: frame.sessionId, seq: event.seq, event });
      } else {
        this.frames.push(frame);
      }
      for (const wake of this.waiters) wake();
    });
  }

  static connect(url: string, headers: Record<string, string>, protocols?: string[]): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols, { headers });
      socket.once('open', () => resolve(new WsClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused: ${response.statusCode}`)),
      );
    });
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  subscribe(sessionId: string, afterSeq = 0): void {
    this.send({ type: 'subscribe', sessionId, afterSeq });
  }

  events(sessionId: string): Extract<ServerFrame, { type: 'event' }>[] {
    return this.frames.filter(
      (frame): frame is Extract<ServerFrame, { type: 'event' }> =>
        frame.type === 'event' && frame.sessionId === sessionId,
    );
  }

  async waitFor(predicate: (frame: ServerFrame) => boolean, timeoutMs = 30_000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`timed out waiting for a frame; got ${this.frames.map((f) => f.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.waiters.add(wake);
      });
    }
  }

  close(): void {
    this.socket.terminate();
  }
}
