import { ConflictError } from '../../errors.js';
import { listBranches } from '../../workspaces/branch-list.js';
import type { WorkspaceService } from '../../workspaces/workspace-service.js';
import { Router } from '../router.js';

/** `GET /workspaces/:id/branches`: what a new session can start from (the base branch picker). */
export function workspaceBranchRoutes(workspaces: WorkspaceService): Router {
  return new Router().get('/workspaces/:id/branches', async (c) => {
    const workspace = workspaces.get(c.req.param('id'));
    if (workspace.status !== 'ready')
      throw new ConflictError(`Workspace ${workspace.name} is not ready (${workspace.status}).`);
    const branches = await listBranches(workspace.path, c.req.signal);
    return c.json({ defaultBranch: workspace.baseBranch, branches });
  });
}
