import { error, paginate } from '../answer.js';
import { hasPull, type RepoRoute } from './route.js';

/**
 * What GitHub's "Conversation" tab shows of a pull request: review comments, reviews and issue
 * comments. Must be tried after `pullRoutes`, which answers 404 for a pull that does not exist.
 */
export const conversationRoutes: RepoRoute = async ({ method, url, repo, rest, number, apiBase }) => {
  if (rest.length !== 3 || method !== 'GET') return undefined;
  if (rest[0] === 'pulls' && rest[2] === 'comments')
    return paginate(repo.reviewCommentsJson(number, url.searchParams), url, apiBase);
  if (rest[0] === 'pulls' && rest[2] === 'reviews') return paginate(repo.reviewsJson(number), url, apiBase);
  if (rest[0] === 'issues' && rest[2] === 'comments') {
    if (!hasPull(repo, number)) return error(404);
    return paginate(repo.issueCommentsJson(number), url, apiBase);
  }
  return undefined;
};
