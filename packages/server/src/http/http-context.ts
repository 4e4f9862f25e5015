import type { IncomingMessage } from 'node:http';
import { AppError, BadRequestError } from '../errors.js';

/** What a route answers; the app writes it to the socket. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer | StreamedBody | null;
}

/**
 * A body written piece by piece while it is produced (sent chunked). Its status is already decided:
 * if `pipe` rejects midway, the connection is cut, so the client sees a broken answer, not a short one.
 */
export interface StreamedBody {
  pipe(write: (chunk: string) => void): Promise<void>;
}

export class PayloadTooLargeError extends AppError {
  constructor(maxBytes: number) {
    super(
      'payload_too_large',
      `The request body is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB.`,
      413,
    );
  }
}

/** The request as routes see it: path params, query, headers, and the body read at most once. */
export class HttpRequest {
  private bodyText: Promise<string> | undefined;

  constructor(
    readonly raw: IncomingMessage,
    private readonly url: URL,
    private readonly params: Readonly<Record<string, string>>,
    private readonly maxBodyBytes: number,
    /** Aborted when the client goes away before the answer is sent (long git commands stop early). */
    readonly signal: AbortSignal,
  ) {}

  get method(): string {
    return this.raw.method ?? 'GET';
  }

  get path(): string {
    return this.url.pathname;
  }

  /** A path parameter of the matched route (`/sessions/:id` → `param('id')`), already decoded. */
  param(name: string): string {
    const value = this.params[name];
    if (value === undefined) throw new Error(`route has no parameter ${name}`);
    return value;
  }

  query(name: string): string | undefined {
    return this.url.searchParams.get(name) ?? undefined;
  }

  header(name: string): string | undefined {
    const value = this.raw.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  /** The body as UTF-8, refused beyond the size limit without buffering the rest. */
  text(): Promise<string> {
    this.bodyText ??= readBody(this.raw, this.maxBodyBytes);
    return this.bodyText;
  }

  async json(): Promise<unknown> {
    const text = await this.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new BadRequestError('The request body is not valid JSON.');
    }
  }
}

/** One request's context: the request, and builders for the response (Hono-like, so routes stay short). */
export class HttpContext {
  private readonly responseHeaders: Record<string, string> = {};

  constructor(readonly req: HttpRequest) {}

  header(name: string, value: string): void {
    this.responseHeaders[name] = value;
  }

  json(data: unknown, status = 200): HttpResponse {
    return this.respond(status, 'application/json; charset=utf-8', JSON.stringify(data));
  }

  /** JSON that `body` writes while it is produced (e.g. a big diff, while git still runs). */
  streamJson(body: StreamedBody, status = 200): HttpResponse {
    return {
      status,
      headers: { ...this.responseHeaders, 'Content-Type': 'application/json; charset=utf-8' },
      body,
    };
  }

  html(text: string, status = 200): HttpResponse {
    return this.respond(status, 'text/html; charset=utf-8', text);
  }

  /** A body with no content type of its own (e.g. `body(null, 204)`). */
  body(data: string | Buffer | null, status = 200): HttpResponse {
    return { status, headers: { ...this.responseHeaders }, body: data };
  }

  private respond(status: number, contentType: string, body: string): HttpResponse {
    return { status, headers: { ...this.responseHeaders, 'Content-Type': contentType }, body };
  }
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume();
    return Promise.reject(new PayloadTooLargeError(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop buffering at once; the rest is drained and dropped.
        chunks.length = 0;
        request.removeAllListeners('data');
        request.resume();
        reject(new PayloadTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}
