import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Health } from '@chatml/protocol';
import type { LiveSettings } from '../config/live-settings.js';
import type { ForgeServices } from '../forge/forge-services.js';
import type { Logger } from '../logger.js';
import type { SessionGit } from '../sessions/session-git.js';
import type { SessionManager } from '../sessions/session-manager.js';
import type { EventStore } from '../store/event-store.js';
import type { WorkspaceService } from '../workspaces/workspace-service.js';
import { body, errorResponse } from './error-handler.js';
import { HttpContext, HttpRequest, type HttpResponse } from './http-context.js';
import { Router } from './router.js';
import { forgeRoutes } from './routes/forge.js';
import { healthRoutes } from './routes/health.js';
import { sessionFileRoutes } from './routes/session-files.js';
import { sessionGitRoutes } from './routes/session-git.js';
import { sessionRoutes } from './routes/sessions.js';
import { settingsRoutes } from './routes/settings.js';
import { workspaceBranchRoutes } from './routes/workspace-branches.js';
import { workspaceRoutes } from './routes/workspaces.js';
import { AccessPolicy } from './security.js';
import { uiRoutes } from './ui.js';
import { type StaticFiles, uiStaticFiles } from './ui-files.js';

export interface AppDeps {
  policy: AccessPolicy;
  workspaces: WorkspaceService;
  sessions: SessionManager;
  /** Diff pages, commits, commit, sync, merge back, restore (routes/session-git.ts). */
  sessionGit: SessionGit;
  events: EventStore;
  logger: Logger;
  healthDetails: () => Pick<Health, 'demoModel' | 'maxConcurrentTurns' | 'modelCredentials'>;
  /** The built web UI to serve at `/`; undefined serves a minimal built-in page. */
  uiDir: string | undefined;
  /** Push, pull requests and AI drafts (docs/FORGE.md). */
  forge: ForgeServices;
  /** The settings.json values the Settings screen reads and changes. */
  settings: LiveSettings;
}

/** Request bodies above this are refused with 413 before they are buffered. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * The HTTP application, as a plain Node request listener. Cross-cutting checks run first, in this
 * order, before any route: Host (DNS rebinding), Origin (other pages; no CORS is ever granted), then
 * the launch token for everything under /api. The UI's page carries no data and loads without the
 * token, which it then reads from the URL fragment.
 */
export function createApp(deps: AppDeps): RequestListener {
  const api = new Router();
  api.mount('/', healthRoutes(deps.healthDetails));
  api.mount('/', workspaceRoutes(deps.workspaces, deps.sessions));
  api.mount('/', sessionRoutes(deps.sessions, deps.events));
  api.mount(
    '/',
    sessionGitRoutes(deps.sessionGit, (sessionId) => deps.sessions.refreshDiffStats(sessionId)),
  );
  api.mount('/', sessionFileRoutes(deps.sessions));
  api.mount('/', workspaceBranchRoutes(deps.workspaces));
  api.mount('/', forgeRoutes(deps.forge));
  api.mount('/', settingsRoutes(deps.settings));
  const router = new Router().mount('/api/v1', api).mount('/', uiRoutes(deps.uiDir));
  const files = uiStaticFiles(deps.uiDir);
  return (request, response) => {
    handle(request, response, router, files, deps).catch((error: Error) => {
      // Only writing the answer can fail here (the client went away); nothing to tell anyone.
      deps.logger.debug(`answering ${request.method} ${request.url} failed: ${error.message}`);
      response.destroy();
    });
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  router: Router,
  files: StaticFiles | undefined,
  deps: AppDeps,
): Promise<void> {
  const { policy, logger } = deps;
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const method = request.method ?? 'GET';
  const aborted = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) aborted.abort();
  });
  const c = new HttpContext(new HttpRequest(request, url, {}, MAX_BODY_BYTES, aborted.signal));

  if (!policy.isHostAllowed(request.headers.host)) {
    return send(
      response,
      method,
      c.json(
        body('forbidden', 'This Host is not allowed; ChatML only answers on 127.0.0.1 and localhost.'),
        403,
      ),
    );
  }
  if (!policy.isOriginAllowed(request.headers.origin)) {
    return send(
      response,
      method,
      c.json(body('forbidden', 'Requests from other origins are not allowed.'), 403),
    );
  }
  if (method === 'OPTIONS') return send(response, method, c.body(null, 204));
  const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
  if (isApi && !policy.isTokenValid(AccessPolicy.bearer(c.req.header('authorization')))) {
    c.header('WWW-Authenticate', 'Bearer realm="chatml"');
    return send(
      response,
      method,
      c.json(body('unauthorized', 'A valid launch token is required (Authorization: Bearer …).'), 401),
    );
  }

  let answer: HttpResponse;
  try {
    const match = router.find(method, url.pathname);
    if (!match) {
      if (!isApi && files && (method === 'GET' || method === 'HEAD')) {
        if (await files(request, response)) return;
      }
      answer = c.json(body('not_found', `No route for ${method} ${url.pathname}.`), 404);
    } else {
      const routed = new HttpContext(
        new HttpRequest(request, url, match.params, MAX_BODY_BYTES, aborted.signal),
      );
      answer = await match.handler(routed);
    }
  } catch (error) {
    // The client went away (closed the tab, switched sessions) and the work for it was cancelled:
    // nobody is left to answer, and nothing went wrong. Any other failure is still reported.
    if (aborted.signal.aborted && (error as Error)?.name === 'AbortError') {
      logger.debug(`${method} ${url.pathname}: the client left before the answer`);
      response.destroy();
      return;
    }
    answer = errorResponse(c, error, logger);
  }
  send(response, method, answer, logger);
}

function send(response: ServerResponse, method: string, answer: HttpResponse, logger?: Logger): void {
  if (response.headersSent || response.destroyed) return;
  const headers: Record<string, string | number> = { ...answer.headers };
  if (answer.body !== null && typeof answer.body === 'object' && 'pipe' in answer.body) {
    response.writeHead(answer.status, headers);
    if (method === 'HEAD') {
      response.end();
      return;
    }
    answer.body
      .pipe((chunk) => {
        if (!response.destroyed) response.write(chunk);
      })
      .then(
        () => response.end(),
        (error: unknown) => {
          // The status line is out: all that is left is to cut the answer short.
          logger?.warn(`a streamed answer failed midway: ${(error as Error)?.message ?? error}`);
          response.destroy();
        },
      );
    return;
  }
  // Encoded once: Content-Length and the write would otherwise each walk the string (a 2 MB diff).
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
  if (body !== null) headers['Content-Length'] = body.length;
  response.writeHead(answer.status, headers);
  response.end(method === 'HEAD' || body === null ? undefined : body);
}
