import { CreateSessionBody, CreateWorkspaceBody } from '@chatml/protocol';
import type { SessionManager } from '../../sessions/session-manager.js';
import type { WorkspaceService } from '../../workspaces/workspace-service.js';
import { parseBody } from '../parse-body.js';
import { Router } from '../router.js';

export function workspaceRoutes(workspaces: WorkspaceService, sessions: SessionManager): Router {
  return new Router()
    .post('/workspaces', async (c) => {
      const body = await parseBody(c, CreateWorkspaceBody);
      const workspace = await workspaces.add(body);
      return c.json(workspace, workspace.status === 'cloning' ? 202 : 201);
    })
    .get('/workspaces', (c) => c.json({ workspaces: workspaces.list() }))
    .get('/workspaces/:id', (c) => c.json(workspaces.get(c.req.param('id'))))
    .delete('/workspaces/:id', async (c) => {
      await workspaces.delete(c.req.param('id'));
      return c.body(null, 204);
    })
    .post('/workspaces/:id/sessions', async (c) => {
      const body = await parseBody(c, CreateSessionBody);
      return c.json(await sessions.create(c.req.param('id'), body), 201);
    })
    .get('/workspaces/:id/sessions', (c) => {
      const workspace = workspaces.get(c.req.param('id'));
      return c.json({ sessions: sessions.list(workspace.id) });
    });
}
