import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeRepo, ValidationFailed } from './fake-repo.js';
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

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const MESSAGES: Record<number, string> = {
  401: 'Bad credentials',
  403: 'Forbidden',
  404: 'Not Found',
  422: 'Validation Failed',
  429: 'Too Many Requests',
  500: 'Server Error',
};

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
    const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
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
      const answer = this.authenticate(req.headers.authorization) ? this.graphql(body) : error(401);
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
          body: scripted.body ?? { message: MESSAGES[status] ?? `HTTP ${status}` },
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
    const result = path === null ? error(404) : await this.route(method, path, body, user);
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

  /**
   * The one GraphQL query ChatML makes: a pull request's review threads (resolved or not). Anything
   * else gets a GraphQL error, as a query the real schema does not know would.
   */
  private graphql(body: unknown): Answer {
    const { query, variables } = (body ?? {}) as { query?: string; variables?: Record<string, unknown> };
    if (!query?.includes('reviewThreads'))
      return ok({ errors: [{ message: 'fake-github: only reviewThreads queries are supported' }] });
    const repo = this.repos.get(`${variables?.owner}/${variables?.repo}`.toLowerCase());
    const number = Number(variables?.number);
    if (!repo?.pulls.some((pull) => pull.number === number))
      return ok({
        data: { repository: null },
        errors: [{ type: 'NOT_FOUND', message: 'Could not resolve' }],
      });
    return ok({
      data: {
        repository: {
          pullRequest: {
            reviewThreads: {
              nodes: repo.reviewThreadsGraph(number),
              pageInfo: { hasNextPage: false, endCursor: null },
            },
          },
        },
      },
    });
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

  private async route(method: string, pathWithQuery: string, body: unknown, user: FakeUser): Promise<Answer> {
    const url = new URL(pathWithQuery, 'http://fake');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (method === 'GET' && parts.length === 1 && parts[0] === 'user') return ok({ login: user.login });
    if (parts[0] !== 'repos' || parts.length < 3) return error(404);
    const repo = this.repos.get(`${parts[1]}/${parts[2]}`.toLowerCase());
    if (!repo) return error(404);
    const rest = parts.slice(3);
    const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const number = Number(rest[1]);
    const hasPull = rest[0] === 'pulls' && repo.pulls.some((pull) => pull.number === number);
    const apiBase = this.url;

    try {
      if (rest.length === 0 && method === 'GET')
        return ok({
          full_name: repo.fullName,
          default_branch: repo.defaultBranch,
          html_url: `${this.htmlBase}/${repo.fullName}`,
        });
      if (rest.length === 1 && rest[0] === 'pulls' && method === 'POST') {
        const pull = await repo.createPull(input, user.login);
        return { status: 201, body: await repo.pullJson(pull, apiBase) };
      }
      if (rest.length === 1 && rest[0] === 'pulls' && method === 'GET') {
        const state = url.searchParams.get('state') ?? 'open';
        const head = url.searchParams.get('head');
        const base = url.searchParams.get('base');
        const pulls = repo.pulls.filter(
          (pull) =>
            (state === 'all' || pull.state === state) &&
            (!head || `${repo.owner}:${pull.head}` === head) &&
            (!base || pull.base === base),
        );
        const list = await Promise.all(pulls.map((pull) => repo.pullJson(pull, apiBase)));
        return paginate(list.reverse(), url, this.origin + this.prefix);
      }
      if (!hasPull && rest[0] === 'pulls') return error(404);
      if (rest.length === 2 && rest[0] === 'pulls' && method === 'GET')
        return ok(await repo.pullJson(repo.pull(number), apiBase));
      if (rest.length === 2 && rest[0] === 'pulls' && method === 'PATCH') {
        const fields: Record<string, unknown> = {};
        for (const key of ['title', 'body', 'state', 'base'] as const)
          if (typeof input[key] === 'string') fields[key] = input[key];
        return ok(await repo.pullJson(repo.updatePull(number, fields), apiBase));
      }
      if (rest.length === 3 && rest[0] === 'pulls' && rest[2] === 'comments' && method === 'GET')
        return paginate(repo.reviewCommentsJson(number, url.searchParams), url, this.origin + this.prefix);
      if (rest.length === 3 && rest[0] === 'pulls' && rest[2] === 'reviews' && method === 'GET')
        return paginate(repo.reviewsJson(number), url, this.origin + this.prefix);
      if (rest.length === 3 && rest[0] === 'pulls' && rest[2] === 'merge' && method === 'PUT') {
        repo.mergePull(number);
        return ok({ merged: true, message: 'Pull Request successfully merged' });
      }
      if (rest.length === 3 && rest[0] === 'issues' && rest[2] === 'comments' && method === 'GET') {
        if (!repo.pulls.some((pull) => pull.number === number)) return error(404);
        return paginate(repo.issueCommentsJson(number), url, this.origin + this.prefix);
      }
      if (rest.length === 3 && rest[0] === 'commits' && method === 'GET') {
        const sha = await repo.resolve(rest[1] ?? '');
        if (!sha) return { status: 422, body: { message: `No commit found for SHA: ${rest[1]}` } };
        if (rest[2] === 'check-runs') return ok(repo.checkRunsJson(sha));
        if (rest[2] === 'status') return ok(repo.combinedStatusJson(sha));
      }
    } catch (failure) {
      if (failure instanceof ValidationFailed)
        return {
          status: 422,
          body: {
            message: failure.message,
            errors: failure.errors,
            documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
          },
        };
      throw failure;
    }
    return error(404);
  }
}

function matches(scripted: ScriptedGitHubResponse, method: string, path: string): boolean {
  if (scripted.method && scripted.method !== method) return false;
  if (scripted.path === undefined) return true;
  return typeof scripted.path === 'string' ? path.includes(scripted.path) : scripted.path.test(path);
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}

function error(status: number): Answer {
  return {
    status,
    body: {
      message: MESSAGES[status] ?? `HTTP ${status}`,
      documentation_url: 'https://docs.github.com/rest',
    },
  };
}

function withRate(rate: Record<string, string>, answer: Answer): Answer {
  return { ...answer, headers: { ...rate, ...answer.headers } };
}

/** GitHub's `per_page`/`page` with a `Link` header (absolute URLs, as Octokit's paginate follows). */
function paginate(list: unknown[], url: URL, base: string): Answer {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30)));
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
  const lastPage = Math.max(1, Math.ceil(list.length / perPage));
  const links: string[] = [];
  const link = (n: number, rel: string) => {
    const params = new URLSearchParams(url.searchParams);
    params.set('page', String(n));
    links.push(`<${base}${url.pathname}?${params}>; rel="${rel}"`);
  };
  if (page < lastPage) {
    link(page + 1, 'next');
    link(lastPage, 'last');
  }
  const answer = ok(list.slice((page - 1) * perPage, page * perPage));
  if (links.length > 0) answer.headers = { link: links.join(', ') };
  return answer;
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
