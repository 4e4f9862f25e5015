import { type Answer, ok } from '../answer.js';
import { type FindRepo, hasPull } from './route.js';

/**
 * The one GraphQL query ChatML makes: a pull request's review threads (resolved or not). Anything
 * else gets a GraphQL error, as a query the real schema does not know would.
 */
export function answerGraphql(body: unknown, findRepo: FindRepo): Answer {
  const { query, variables } = (body ?? {}) as { query?: string; variables?: Record<string, unknown> };
  if (!query?.includes('reviewThreads'))
    return ok({ errors: [{ message: 'fake-github: only reviewThreads queries are supported' }] });
  const repo = findRepo(`${variables?.owner}/${variables?.repo}`);
  const number = Number(variables?.number);
  if (!repo || !hasPull(repo, number))
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
