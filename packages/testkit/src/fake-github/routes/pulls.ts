import { error, ok, paginate } from '../answer.js';
import { hasPull, type RepoRoute } from './route.js';

/** Create, list, get, update and merge pull requests. */
export const pullRoutes: RepoRoute = async ({ method, url, repo, rest, number, input, user, apiBase }) => {
  if (rest[0] !== 'pulls') return undefined;
  if (rest.length === 1 && method === 'POST') {
    const pull = await repo.createPull(input, user.login);
    return { status: 201, body: await repo.pullJson(pull, apiBase) };
  }
  if (rest.length === 1 && method === 'GET') {
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
    return paginate(list.reverse(), url, apiBase);
  }
  // Answered here for every path under /pulls, so the conversation routes tried next may trust the
  // pull exists (`repo.pull` throws for one that does not).
  if (!hasPull(repo, number)) return error(404);
  if (rest.length === 2 && method === 'GET') return ok(await repo.pullJson(repo.pull(number), apiBase));
  if (rest.length === 2 && method === 'PATCH') {
    const fields: Record<string, unknown> = {};
    for (const key of ['title', 'body', 'state', 'base'] as const)
      if (typeof input[key] === 'string') fields[key] = input[key];
    return ok(await repo.pullJson(repo.updatePull(number, fields), apiBase));
  }
  if (rest.length === 3 && rest[2] === 'merge' && method === 'PUT') {
    repo.mergePull(number);
    return ok({ merged: true, message: 'Pull Request successfully merged' });
  }
  return undefined;
};
