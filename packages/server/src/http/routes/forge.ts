import { CommentsToAgentBody, CreatePullRequestBody, PushBody } from '@chatml/protocol';
import type { z } from 'zod';
import { BadRequestError } from '../../errors.js';
import type { ForgeServices } from '../../forge/forge-services.js';
import type { HttpContext } from '../http-context.js';
import { Router } from '../router.js';

/**
 * The way out through GitHub: push, pull request, its status and review loop, and AI drafts of
 * commit messages and PR texts. See docs/FORGE.md and docs/API.md.
 */
export function forgeRoutes(forge: ForgeServices): Router {
  const { pullRequests, drafts } = forge;
  return new Router()
    .post('/sessions/:id/push', async (c) => {
      const body = await optionalBody(c, PushBody);
      return c.json(await pullRequests.push(c.req.param('id'), body));
    })
    .post('/sessions/:id/pr', async (c) => {
      const body = await optionalBody(c, CreatePullRequestBody);
      const created = await pullRequests.create(c.req.param('id'), body);
      return c.json(created, created.isExisting ? 200 : 201);
    })
    .get('/sessions/:id/pr', async (c) => c.json(await pullRequests.status(c.req.param('id'))))
    .get('/workspaces/:id/pull-requests', (c) => c.json(pullRequests.listForWorkspace(c.req.param('id'))))
    .get('/sessions/:id/pr/prefill', async (c) => c.json(await pullRequests.prefill(c.req.param('id'))))
    .post('/sessions/:id/pr/comments-to-agent', async (c) => {
      const body = await optionalBody(c, CommentsToAgentBody);
      return c.json(await pullRequests.commentsToAgent(c.req.param('id'), body.commentIds), 202);
    })
    .post('/sessions/:id/drafts/commit-message', async (c) =>
      c.json(await drafts.commitMessage(c.req.param('id'))),
    )
    .post('/sessions/:id/drafts/pr', async (c) => c.json(await drafts.pullRequest(c.req.param('id'))));
}

/** Like parseBody, but an empty body means `{}` (e.g. a plain `POST …/push`). */
async function optionalBody<S extends z.ZodType>(c: HttpContext, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let json: unknown = {};
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw new BadRequestError('The request body is not valid JSON.');
    }
  }
  return schema.parse(json);
}
