import type { Health } from '@chatml/protocol';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ForgeServices } from '../forge/forge-services.js';
import type { Logger } from '../logger.js';
import type { SessionGit } from '../sessions/session-git.js';
import type { SessionManager } from '../sessions/session-manager.js';
import type { EventStore } from '../store/event-store.js';
import type { WorkspaceService } from '../workspaces/workspace-service.js';
import { body, errorResponse } from './error-handler.js';
import { forgeRoutes } from './routes/forge.js';
import { healthRoutes } from './routes/health.js';
import { sessionFileRoutes } from './routes/session-files.js';
import { sessionGitRoutes } from './routes/session-git.js';
import { sessionRoutes } from './routes/sessions.js';
import { workspaceBranchRoutes } from './routes/workspace-branches.js';
import { workspaceRoutes } from './routes/workspaces.js';
import { AccessPolicy } from './security.js';
import { uiRoutes } from './ui.js';

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
}

/**
 * The HTTP application. Cross-cutting checks run as middleware, in this order, before any route:
 * Host (DNS rebinding), Origin (other pages; no CORS is ever granted), then the launch token for
 * everything under /api. The UI's static page carries no data and loads without the token, which
 * it then reads from the URL fragment.
 */
export function createApp(deps: AppDeps): Hono {
  const { policy, logger } = deps;
  const app = new Hono();

  app.onError((error, c) => errorResponse(c, error, logger));
  app.notFound((c) => c.json(body('not_found', `No route for ${c.req.method} ${c.req.path}.`), 404));

  app.use('*', async (c, next) => {
    if (!policy.isHostAllowed(c.req.header('host'))) {
      return c.json(
        body('forbidden', 'This Host is not allowed; ChatML only answers on 127.0.0.1 and localhost.'),
        403,
      );
    }
    if (!policy.isOriginAllowed(c.req.header('origin'))) {
      return c.json(body('forbidden', 'Requests from other origins are not allowed.'), 403);
    }
    if (c.req.method === 'OPTIONS') return c.body(null, 204);
    await next();
  });

  app.use('/api/*', async (c, next) => {
    if (!policy.isTokenValid(AccessPolicy.bearer(c.req.header('authorization')))) {
      c.header('WWW-Authenticate', 'Bearer realm="chatml"');
      return c.json(body('unauthorized', 'A valid launch token is required (Authorization: Bearer …).'), 401);
    }
    await next();
  });

  app.use(
    '/api/*',
    bodyLimit({
      maxSize: 2 * 1024 * 1024,
      onError: (c) => c.json(body('payload_too_large', 'The request body is larger than 2 MiB.'), 413),
    }),
  );

  const api = new Hono();
  api.route('/', healthRoutes(deps.healthDetails));
  api.route('/', workspaceRoutes(deps.workspaces, deps.sessions));
  api.route('/', sessionRoutes(deps.sessions, deps.events));
  api.route('/', sessionGitRoutes(deps.sessionGit));
  api.route('/', sessionFileRoutes(deps.sessions));
  api.route('/', workspaceBranchRoutes(deps.workspaces));
  api.route('/', forgeRoutes(deps.forge));
  app.route('/api/v1', api);
  app.route('/', uiRoutes(deps.uiDir));
  return app;
}
