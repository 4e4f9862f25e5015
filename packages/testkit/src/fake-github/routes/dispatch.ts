import { type Answer, error, ok } from '../answer.js';
import { ValidationFailed } from '../fake-repo.js';
import type { FakeUser } from '../types.js';
import { conversationRoutes } from './conversation.js';
import { pullRoutes } from './pulls.js';
import { repositoryRoutes } from './repository.js';
import type { FindRepo, RepoRequest, RepoRoute } from './route.js';

// Order matters: `conversationRoutes` relies on `pullRoutes` having refused a pull that does not exist.
const REPO_ROUTES: readonly RepoRoute[] = [repositoryRoutes, pullRoutes, conversationRoutes];

/** Answers an authenticated, not rate-limited REST request (path without the API prefix). */
export async function routeRestRequest(
  method: string,
  pathWithQuery: string,
  body: unknown,
  user: FakeUser,
  findRepo: FindRepo,
  apiBase: string,
): Promise<Answer> {
  const url = new URL(pathWithQuery, 'http://fake');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (method === 'GET' && parts.length === 1 && parts[0] === 'user') return ok({ login: user.login });
  if (parts[0] !== 'repos' || parts.length < 3) return error(404);
  const repo = findRepo(`${parts[1]}/${parts[2]}`);
  if (!repo) return error(404);
  const rest = parts.slice(3);
  const request: RepoRequest = {
    method,
    url,
    repo,
    rest,
    number: Number(rest[1]),
    input: (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>,
    user,
    apiBase,
  };
  try {
    for (const route of REPO_ROUTES) {
      const answer = await route(request);
      if (answer) return answer;
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
