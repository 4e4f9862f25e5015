import { ok } from '../answer.js';
import type { RepoRoute } from './route.js';

/** The repository itself, and the checks and statuses reported on its commits. */
export const repositoryRoutes: RepoRoute = async ({ method, repo, rest }) => {
  if (rest.length === 0 && method === 'GET')
    return ok({
      full_name: repo.fullName,
      default_branch: repo.defaultBranch,
      html_url: `${repo.htmlBase}/${repo.fullName}`,
    });
  if (rest.length === 3 && rest[0] === 'commits' && method === 'GET') {
    // GitHub answers 422, not 404, for a ref it cannot resolve.
    const sha = await repo.resolve(rest[1] ?? '');
    if (!sha) return { status: 422, body: { message: `No commit found for SHA: ${rest[1]}` } };
    if (rest[2] === 'check-runs') return ok(repo.checkRunsJson(sha));
    if (rest[2] === 'status') return ok(repo.combinedStatusJson(sha));
  }
  return undefined;
};
