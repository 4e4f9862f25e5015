import { CommitBody, DiffQuery, DiscardBody, FileAtRefQuery, MergeBody, SyncBody } from '@chatml/protocol';
import type { SessionGit } from '../../sessions/session-git.js';
import { parseBody } from '../parse-body.js';
import { Router } from '../router.js';

/**
 * A session's changes and its way out: the paged diff, commits, file at a ref, discard, commit,
 * sync with the base branch, merge back and restore. See "Git" in docs/API.md.
 */
export function sessionGitRoutes(
  git: SessionGit,
  /**
   * Told when the session's counts may have changed — a client reads a diff from its start, or a
   * git operation ran (a merge can make the branch "merged") — so they are measured again.
   */
  measureAgain: (sessionId: string) => void = () => {},
): Router {
  /** Run a git operation of the session, then have its counts measured again, whatever came of it. */
  const changing = async <T>(sessionId: string, operation: Promise<T>): Promise<T> => {
    try {
      return await operation;
    } finally {
      measureAgain(sessionId);
    }
  };
  return new Router()
    .get('/sessions/:id/diff', async (c) => {
      const query = DiffQuery.parse({ offset: c.req.query('offset'), limit: c.req.query('limit') });
      // Someone is looking at the changes, maybe after editing the worktree by hand: the counts
      // in the header and the list are measured again, so they agree with what the diff shows.
      if (query.offset === 0) measureAgain(c.req.param('id'));
      // Without a page limit the answer can be megabytes: it goes out file by file as git writes it.
      if (query.limit === undefined)
        return c.streamJson(await git.diffStream(c.req.param('id'), query.offset, c.req.signal));
      return c.json(await git.diff(c.req.param('id'), query));
    })
    .get('/sessions/:id/commits', async (c) => c.json(await git.commits(c.req.param('id'), c.req.signal)))
    .get('/sessions/:id/commits/:sha/diff', async (c) =>
      c.json(await git.commitDiff(c.req.param('id'), c.req.param('sha'))),
    )
    .get('/sessions/:id/file', async (c) => {
      const query = FileAtRefQuery.parse({ ref: c.req.query('ref'), path: c.req.query('path') });
      return c.json(await git.fileAtRef(c.req.param('id'), query.ref, query.path));
    })
    .get('/sessions/:id/git-state', async (c) => c.json(await git.refresh(c.req.param('id'))))
    .post('/sessions/:id/discard', async (c) => {
      const body = await parseBody(c, DiscardBody);
      return c.json(await changing(c.req.param('id'), git.discard(c.req.param('id'), body.paths)));
    })
    .post('/sessions/:id/commit', async (c) => {
      const body = await parseBody(c, CommitBody);
      return c.json(await changing(c.req.param('id'), git.commit(c.req.param('id'), body.message)), 201);
    })
    .post('/sessions/:id/sync', async (c) => {
      const body = await parseBody(c, SyncBody);
      return c.json(await changing(c.req.param('id'), git.sync(c.req.param('id'), body.strategy)));
    })
    .post('/sessions/:id/sync/continue', async (c) =>
      c.json(await changing(c.req.param('id'), git.continueSync(c.req.param('id')))),
    )
    .post('/sessions/:id/sync/abort', async (c) =>
      c.json(await changing(c.req.param('id'), git.abortSync(c.req.param('id')))),
    )
    .post('/sessions/:id/sync/resolve-with-agent', async (c) =>
      c.json(await git.resolveWithAgent(c.req.param('id')), 202),
    )
    .post('/sessions/:id/merge', async (c) => {
      const body = await parseBody(c, MergeBody);
      return c.json(await changing(c.req.param('id'), git.merge(c.req.param('id'), body)));
    })
    .post('/sessions/:id/restore', async (c) =>
      c.json(await changing(c.req.param('id'), git.restore(c.req.param('id')))),
    );
}
