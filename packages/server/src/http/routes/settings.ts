import { UpdateSettingsBody } from '@chatml/protocol';
import type { LiveSettings } from '../../config/live-settings.js';
import { parseBody } from '../parse-body.js';
import { Router } from '../router.js';

export function settingsRoutes(settings: LiveSettings): Router {
  return new Router()
    .get('/settings', (c) => c.json(settings.get()))
    .patch('/settings', async (c) => {
      const body = await parseBody(c, UpdateSettingsBody);
      return c.json(await settings.update(body));
    });
}
