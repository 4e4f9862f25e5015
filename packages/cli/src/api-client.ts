import { AppPaths } from '@chatml/server';
import { checkHealth, readServerInfo } from './server-info.js';

/** A protocol schema (zod's `safeParse` fits); the CLI validates every answer with one. */
export interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/** A failed API call, carrying the backend's own `{error:{code,message}}` for the user. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** Extra fields of the error body (e.g. `conflicts` on a 409 merge). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No backend answers for this data dir: the user must start one first. */
export class NotRunningError extends Error {
  constructor(home: string) {
    super(`ChatML is not running for ${home}. Start it with \`chatml start\` (or \`chatml serve\`).`);
    this.name = 'NotRunningError';
  }
}

/**
 * The CLI's way into a running backend: address and token from its server.json (mode 0600, so only
 * this user can read it), every response validated with the protocol's schema.
 */
export class ApiClient {
  private constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  static async connect(home: string): Promise<ApiClient> {
    const info = readServerInfo(new AppPaths(home).serverInfo);
    if (!info || !(await checkHealth(info.port, info.token))) throw new NotRunningError(home);
    return new ApiClient(`http://127.0.0.1:${info.port}/api/v1`, info.token);
  }

  get<T>(schema: Schema<T>, path: string): Promise<T> {
    return this.request(schema, 'GET', path);
  }

  post<T>(schema: Schema<T>, path: string, body: unknown = {}): Promise<T> {
    return this.request(schema, 'POST', path, body);
  }

  async request<T>(schema: Schema<T>, method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      // Connection refused or reset: the backend stopped (or is being restarted by `chatml start`).
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new ApiError('unreachable', `Cannot reach the ChatML backend (${cause}).`, 0);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiError('bad_response', `The backend answered ${method} ${path} with non-JSON.`, 502);
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const { code, message, ...details } = (error ?? {}) as Record<string, unknown>;
      throw new ApiError(
        typeof code === 'string' ? code : 'http_error',
        typeof message === 'string' ? message : `${method} ${path} failed with HTTP ${response.status}.`,
        response.status,
        details,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new ApiError(
        'bad_response',
        `The backend's answer to ${method} ${path} does not match this CLI's protocol (is it another version?).`,
        502,
      );
    return parsed.data;
  }
}
