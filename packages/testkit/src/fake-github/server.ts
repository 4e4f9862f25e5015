import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Answer, error, statusMessage } from './answer.js';
import { FakeRepo } from './fake-repo.js';
import { routeRestRequest } from './routes/dispatch.js';
import { answerGraphql } from './routes/graphql.js';
import type { FakeUser, RecordedGitHubRequest, ScriptedGitHubResponse } from './types.js';

export interface FakeGitHubOptions {
  /**
   * Path prefix of the REST API: `''` for github.com style (`https://api.github.com`), `'/api/v3'` for
   * GitHub Enterprise Server. `url` includes it.
   */
  prefix?: string;
  /** Tokens the fake accepts (`Authorization: token …` or `Bearer …`); default `['ghp_fake_token']`. */
  tokens?: string[];
  /** Where `html_url`s point; default `https://github.com`. */
  htmlBase?: string;
  /** Default 5000. */
  rateLimit?: number;
}

/**
 * A stand-in for the GitHub REST API on 127.0.0.1, for what ChatML uses: pull requests (create, get,
 * list by head, update, merge), review comments, reviews, issue comments, check runs and combined
 * status. It answers `If-None-Match` with 304 (free, as on GitHub), sends rate-limit headers and
 * counts the limit down, refuses bad tokens with 401, and records every request.
 *
 * Tests change its state directly (`repo(...).addReviewComment`, `setCheckRuns`, `mergePull`) and
 * script failures (`failNext({status: 429, headers: {'retry-after': '60'}})`).
 *
 * @example
 * const github = await FakeGitHubServer.start({ prefix: '/api/v3' });
 * const repo = github.addRepo('acme', 'widgets', { gitDir: bare.path });
 * // GITHUB_API_URL=github.url, GITHUB_TOKEN=github.token …
 * repo.addReviewComment(1, { path: 'src/a.ts', line: 3, body: 'Rename this' });
 */
export class FakeGitHubServer {
  readonly requests: RecordedGitHubRequest[] = [];
  private readonly repos = new Map<string, FakeRepo>();
  /** Keyed in lower case: GitHub's owner and repository names are case-insensitive. */
  private readonly findRepo = (fullName: string): FakeRepo | undefined =>
    this.repos.get(fullName.toLowerCase());
  private readonly scripted: ScriptedGitHubResponse[] = [];
  private readonly tokens: Set<string>;
  private readonly htmlBase: string;
  readonly rate: { limit: number; remaining: number; resetAt: number };

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    readonly prefix: string,
    options: FakeGitHubOptions,
  ) {
    this.tokens = new Set(options.tokens ?? ['ghp_fake_token']);
    this.htmlBase = options.htmlBase ?? 'https://github.com';
    const limit = options.rateLimit ?? 5000;
    this.rate = { limit, remaining: limit, resetAt: Math.floor(Date.now() / 1000) + 3600 };
  }

  static async start(options: FakeGitHubOptions = {}): Promise<FakeGitHubServer> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const prefix = (options.prefix ?? '').replace(/\/+$/, '');
    const fake = new FakeGitHubServer(server, `http://127.0.0.1:${port}`, prefix, options);
    server.on('request', (req, res) => {
      fake.handle(req, res).catch((error: unknown) => {
        console.error('[fake-github] failed:', error);
        if (!res.headersSent) send(res, { status: 500, body: { message: String(error) } });
        else res.destroy();
      });
    });
    return fake;
  }

  /** The API base URL clients use (`baseUrl` in Octokit, `GITHUB_API_URL`). */
  get url(): string {
    return `${this.origin}${this.prefix}`;
  }

  /** The first accepted token. */
  get token(): string {
    return [...this.tokens][0] ?? '';
  }

  addRepo(owner: string, name: string, options: { gitDir?: string; defaultBranch?: string } = {}): FakeRepo {
    const repo = new FakeRepo(owner, name, this.htmlBase, options.defaultBranch ?? 'main', options.gitDir);
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return repo;
  }

  repo(owner: string, name: string): FakeRepo {
    const repo = this.findRepo(`${owner}/${name}`);
    if (!repo) throw new Error(`fake-github: no repository ${owner}/${name}`);
    return repo;
  }

  /** Answer the next matching request with this instead (first in, first out). */
  failNext(response: ScriptedGitHubResponse): void {
    this.scripted.push(response);
  }

  /** Set what the rate-limit headers say; at `remaining: 0` requests get 403 until `resetAt` (epoch s). */
  setRateLimit(fields: { remaining?: number; resetAt?: number }): void {
    Object.assign(this.rate, fields);
  }

  /** Recorded requests whose path (without prefix) matches, optionally of one method. */
  requestsTo(path: string | RegExp, method?: string): RecordedGitHubRequest[] {
    return this.requests.filter(
      (request) =>
        (method === undefined || request.method === method) &&
        (typeof path === 'string' ? request.path.split('?')[0] === path : path.test(request.path)),
    );
  }

  async close(): Promise<void> {
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: unknown;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const rawPath = req.url ?? '/';
    const method = req.method ?? 'GET';
    if (method === 'POST' && rawPath === this.graphqlPath) {
      const record: RecordedGitHubRequest = {
        method,
        path: '/graphql',
        rawPath,
        headers: req.headers,
        body,
        status: 0,
      };
      this.requests.push(record);
      const answer = this.authenticate(req.headers.authorization)
        ? answerGraphql(body, this.findRepo)
        : error(401);
      record.status = answer.status;
      send(res, answer);
      return;
    }
    const isInPrefix = rawPath === this.prefix || rawPath.startsWith(`${this.prefix}/`);
    const path = isInPrefix ? rawPath.slice(this.prefix.length) || '/' : rawPath;
    const record: RecordedGitHubRequest = { method, path, rawPath, headers: req.headers, body, status: 0 };
    this.requests.push(record);

    const answer = await this.answer(req, method, isInPrefix ? path : null, body);
    record.status = answer.status;
    send(res, answer);
  }

  private async answer(
    req: IncomingMessage,
    method: string,
    path: string | null,
    body: unknown,
  ): Promise<Answer> {
    const user = this.authenticate(req.headers.authorization);
    if (!user) return error(401);
    const scriptedIndex = this.scripted.findIndex((candidate) => matches(candidate, method, path ?? ''));
    if (scriptedIndex >= 0) {
      const [scripted] = this.scripted.splice(scriptedIndex, 1);
      if (scripted) {
        const status = scripted.status;
        return withRate(this.rateHeaders(), {
          status,
          body: scripted.body ?? { message: statusMessage(status) },
          headers: scripted.headers,
        });
      }
    }
    if (this.rate.remaining <= 0 && Date.now() / 1000 < this.rate.resetAt) {
      return withRate(this.rateHeaders(), {
        status: 403,
        body: {
          message: 'API rate limit exceeded for user ID 1.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        },
      });
    }
    const result =
      path === null ? error(404) : await routeRestRequest(method, path, body, user, this.findRepo, this.url);
    if (result.status === 200 && method === 'GET') {
      const etag = `W/"${createHash('sha1').update(JSON.stringify(result.body)).digest('hex')}"`;
      result.headers = { ...result.headers, etag };
      // As on GitHub: a conditional request answered with 304 does not count against the limit.
      if (req.headers['if-none-match'] === etag)
        return withRate(this.rateHeaders(), { status: 304, headers: { etag } });
    }
    if (this.rate.remaining > 0) this.rate.remaining -= 1;
    return withRate(this.rateHeaders(), result);
  }

  /** Where GraphQL lives: `/graphql` next to the REST root, `/api/graphql` for Enterprise's `/api/v3`. */
  get graphqlPath(): string {
    return this.prefix.endsWith('/api/v3')
      ? `${this.prefix.slice(0, -'/v3'.length)}/graphql`
      : `${this.prefix}/graphql`;
  }

  private authenticate(header: string | undefined): FakeUser | undefined {
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '');
    return match?.[1] && this.tokens.has(match[1]) ? { login: 'chatml-user' } : undefined;
  }

  private rateHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.rate.limit),
      'x-ratelimit-remaining': String(this.rate.remaining),
      'x-ratelimit-reset': String(this.rate.resetAt),
      'x-ratelimit-used': String(this.rate.limit - this.rate.remaining),
      'x-ratelimit-resource': 'core',
    };
  }
}

function matches(scripted: ScriptedGitHubResponse, method: string, path: string): boolean {
  if (scripted.method && scripted.method !== method) return false;
  if (scripted.path === undefined) return true;
  return typeof scripted.path === 'string' ? path.includes(scripted.path) : scripted.path.test(path);
}

function withRate(rate: Record<string, string>, answer: Answer): Answer {
  return { ...answer, headers: { ...rate, ...answer.headers } };
}

function send(res: ServerResponse, answer: Answer): void {
  const text = answer.status === 304 || answer.body === undefined ? '' : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    'content-length': Buffer.byteLength(text),
    ...answer.headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const piece of req) chunks.push(piece as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
