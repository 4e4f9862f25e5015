import { SessionFilesQuery } from '@chatml/protocol';
import { ConflictError } from '../../errors.js';
import { hasWorktree } from '../../git/worktree-presence.js';
import type { SessionManager } from '../../sessions/session-manager.js';
import { listWorktreeFiles } from '../../sessions/worktree-files.js';
import { Router } from '../router.js';

/** `GET /sessions/:id/files`: the worktree's files for the composer's `@` picker. */
export function sessionFileRoutes(sessions: SessionManager): Router {
  return new Router().get('/sessions/:id/files', async (c) => {
    const session = sessions.get(c.req.param('id'));
    if (session.status === 'archived')
      throw new ConflictError('This session is archived; its worktree is gone, so it has no files to list.');
    if (!hasWorktree(session.worktreePath))
      throw new ConflictError(
        `The worktree ${session.worktreePath} is missing, so there are no files to list — restore the session.`,
      );
    const query = SessionFilesQuery.parse({ limit: c.req.query('limit') });
    return c.json(await listWorktreeFiles(session.worktreePath, query.limit, c.req.signal));
  });
}
