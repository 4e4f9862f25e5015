import { APP_VERSION, type Health, PROTOCOL_VERSION } from '@chatml/protocol';
import { Router } from '../router.js';

export function healthRoutes(
  details: () => Pick<Health, 'demoModel' | 'maxConcurrentTurns' | 'modelCredentials'>,
): Router {
  return new Router().get('/health', (c) =>
    c.json({
      ok: true,
      version: APP_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      ...details(),
    } satisfies Health),
  );
}
