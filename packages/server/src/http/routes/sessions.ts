import {
  type CancelMessageResponse,
  EventsQuery,
  InterruptBody,
  PermissionDecisionBody,
  SendMessageBody,
  UpdateSessionBody,
} from '@chatml/protocol';
import { cancelMessage } from '../../sessions/cancel-message.js';
import type { SessionManager } from '../../sessions/session-manager.js';
import type { EventStore } from '../../store/event-store.js';
import { parseBody, parseOptionalBody } from '../parse-body.js';
import { Router } from '../router.js';

export function sessionRoutes(sessions: SessionManager, events: EventStore): Router {
  return new Router()
    .get('/sessions/:id', (c) => c.json(sessions.get(c.req.param('id'))))
    .patch('/sessions/:id', async (c) => {
      const body = await parseBody(c, UpdateSessionBody);
      sessions.controller(c.req.param('id')).updateSettings(body);
      return c.json(sessions.get(c.req.param('id')));
    })
    .post('/sessions/:id/messages', async (c) => {
      const body = await parseBody(c, SendMessageBody);
      return c.json(sessions.controller(c.req.param('id')).sendMessage(body.text), 202);
    })
    .delete('/sessions/:id/messages/:messageId', (c) => {
      cancelMessage(sessions.controller(c.req.param('id')), events, c.req.param('messageId'));
      const body: CancelMessageResponse = { cancelled: true };
      return c.json(body);
    })
    .post('/sessions/:id/interrupt', async (c) => {
      const body = await parseOptionalBody(c, InterruptBody);
      const interrupted = sessions.controller(c.req.param('id')).interrupt(body.turnId);
      return c.json({ interrupted }, 202);
    })
    .post('/sessions/:id/permissions/:requestId', async (c) => {
      const body = await parseBody(c, PermissionDecisionBody);
      sessions.controller(c.req.param('id')).answerPermission(c.req.param('requestId'), body);
      return c.json({ ok: true });
    })
    .post('/sessions/:id/archive', async (c) => c.json(await sessions.archive(c.req.param('id'))))
    .get('/sessions/:id/events', (c) => {
      const session = sessions.get(c.req.param('id'));
      const query = EventsQuery.parse({ after: c.req.query('after'), limit: c.req.query('limit') });
      return c.json({
        events: events.after(session.id, query.after, query.limit),
        lastSeq: events.lastSeq(session.id),
      });
    });
  // GET /sessions/:id/diff (paged) is in session-git.ts with the rest of the git routes.
}
