import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildReplyContext, isMessagesBody, userTexts } from './context.js';
import {
  estimateTokens,
  formatSse,
  type MessageIds,
  messageEvents,
  messageJson,
  resolveBlocks,
  stopReasonOf,
} from './sse.js';
import {
  isScriptedError,
  isScriptedHang,
  type RecordedRequest,
  type ReplyContext,
  type ReplyHandler,
  type ScriptedError,
  type ScriptedMessage,
  type ScriptedReply,
  textReply,
} from './types.js';

export interface FakeAnthropicOptions {
  /** Decides replies for requests the queue does not answer. */
  handler?: ReplyHandler;
  /** Default 0: any free port. The server always binds 127.0.0.1. */
  port?: number;
  /**
   * Default true. Off for a long-lived server (the app's offline demo model), which would otherwise
   * keep every request — system prompt and history, tens of KB each — for as long as it runs.
   */
  recordRequests?: boolean;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

/**
 * A scripted stand-in for the Anthropic Messages API, speaking HTTP on loopback so the real Claude
 * Agent SDK (and its `claude` CLI) can talk to it through `ANTHROPIC_BASE_URL`.
 *
 * Each `POST /v1/messages` is answered by, in order: the next enqueued reply, the handler, or a text
 * saying nothing was scripted. Every request is recorded in `requests` (unless `recordRequests` is false).
 *
 * @example
 * const fake = await FakeAnthropicServer.start({ handler: scriptByPrompt({ hello: [textReply('Hi!')] }) });
 * // ANTHROPIC_BASE_URL=fake.url ... ; afterwards: await fake.close();
 */
export class FakeAnthropicServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: ScriptedReply[] = [];
  private handler: ReplyHandler | undefined;
  private messagesRequestCount = 0;
  private idCounter = 0;
  private isRecording = true;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    handler: ReplyHandler | undefined,
  ) {
    this.handler = handler;
  }

  static async start(options: FakeAnthropicOptions = {}): Promise<FakeAnthropicServer> {
    const server = createServer();
    server.listen(options.port ?? 0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const fake = new FakeAnthropicServer(server, `http://127.0.0.1:${port}`, options.handler);
    fake.isRecording = options.recordRequests ?? true;
    server.on('request', (req, res) => {
      fake.handle(req, res).catch((error: unknown) => {
        // A bug in a test's handler: answer 500 so the client sees it, and keep serving.
        console.error('[fake-anthropic] handler failed:', error);
        if (!res.headersSent)
          sendJson(res, 500, apiError('api_error', `fake handler failed: ${String(error)}`));
        else res.destroy();
      });
    });
    return fake;
  }

  /** Replies for the next requests, used before the handler, first in first out. */
  enqueue(...replies: ScriptedReply[]): void {
    this.queue.push(...replies);
  }

  setHandler(handler: ReplyHandler | undefined): void {
    this.handler = handler;
  }

  /** Recorded `POST /v1/messages` requests only. */
  get messageRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.split('?')[0] === '/v1/messages');
  }

  /** Recorded messages requests of the conversation whose first prompt contains `promptPart`. */
  requestsForPrompt(promptPart: string): RecordedRequest[] {
    return this.messageRequests.filter((request) => {
      if (!isMessagesBody(request.body)) return false;
      const first = request.body.messages.find((message) => message.role === 'user');
      return first !== undefined && userTexts(first).some((text) => text.includes(promptPart));
    });
  }

  /** Resolves once `count` messages requests have arrived (rejects after `timeoutMs`). */
  async waitForMessageRequests(count: number, timeoutMs = 10_000): Promise<RecordedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messageRequests.length < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`[fake-anthropic] saw ${this.messageRequests.length} of ${count} requests`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
    return this.messageRequests;
  }

  /** Stops listening and drops open connections, hung ones included. */
  async close(): Promise<void> {
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }

  private record(request: RecordedRequest): void {
    if (this.isRecording) this.requests.push(request);
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: unknown;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw; // kept as text so a test can still see what arrived
      }
    }
    const path = req.url ?? '/';
    const route = path.split('?')[0];
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      receivedAt: Date.now(),
    };
    this.record(request);

    if (request.method === 'POST' && route === '/v1/messages') {
      if (!isMessagesBody(body)) {
        sendJson(res, 400, apiError('invalid_request_error', 'messages: field required'));
        return;
      }
      const context = buildReplyContext(request, body, this.messagesRequestCount++);
      await this.reply(res, context, await this.pickReply(context));
    } else if (request.method === 'POST' && route === '/v1/messages/count_tokens') {
      sendJson(res, 200, { input_tokens: estimateTokens(raw) });
    } else if ((request.method === 'HEAD' || request.method === 'GET') && route === '/api/hello') {
      res.writeHead(200).end();
    } else {
      sendJson(
        res,
        404,
        apiError('not_found_error', `fake-anthropic does not serve ${request.method} ${route}`),
      );
    }
  }

  private async pickReply(context: ReplyContext): Promise<ScriptedReply> {
    const queued = this.queue.shift();
    if (queued) return queued;
    const fromHandler = this.handler ? await this.handler(context) : undefined;
    return (
      fromHandler ?? textReply(`[fake-anthropic] no reply scripted for request #${context.requestIndex}`)
    );
  }

  private async reply(res: ServerResponse, context: ReplyContext, reply: ScriptedReply): Promise<void> {
    if (isScriptedHang(reply)) {
      // Nothing is sent: the connection stays open until the client gives up or close() drops it.
      return;
    }
    if (reply.delayMs) await sleep(reply.delayMs);
    if (isScriptedError(reply)) {
      sendError(res, reply);
      return;
    }
    const ids: MessageIds = {
      messageId: `msg_fake_${++this.idCounter}`,
      model: context.body.model ?? 'claude-fake',
      nextToolUseId: () => `toolu_fake_${++this.idCounter}`,
      inputTokens: estimateTokens(JSON.stringify(context.body.messages)),
    };
    const blocks = resolveBlocks(reply, ids);
    const stopReason = stopReasonOf(reply);
    if (context.body.stream !== true) {
      sendJson(res, 200, messageJson(blocks, stopReason, ids));
      return;
    }
    await streamMessage(res, messageEvents(blocks, stopReason, ids, reply.chunkSize), reply);
  }
}

async function streamMessage(
  res: ServerResponse,
  events: ReturnType<typeof messageEvents>,
  timing: ScriptedMessage,
) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': `req_fake_${Date.now()}`,
  });
  for (const event of events) {
    if (res.destroyed) return; // the client went away (e.g. an interrupt)
    if (timing.chunkDelayMs && event.event === 'content_block_delta') await sleep(timing.chunkDelayMs);
    res.write(formatSse(event));
  }
  res.end();
}

function apiError(type: string, message: string) {
  return { type: 'error', error: { type, message } };
}

function sendError(res: ServerResponse, reply: ScriptedError): void {
  const { status, type, message, retryAfterSeconds } = reply.error;
  const errorType = type ?? ERROR_TYPES[status] ?? 'api_error';
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  sendJson(res, status, apiError(errorType, message ?? `fake ${errorType} (${status})`), headers);
}

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const piece of req) chunks.push(piece as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
