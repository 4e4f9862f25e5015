import { APP_VERSION, type Health, PROTOCOL_VERSION } from '@chatml/protocol';
import { Hono } from 'hono';

export function healthRoutes(
  details: () => Pick<Health, 'demoModel' | 'maxConcurrentTurns' | 'modelCredentials'>,
): Hono {
  return new Hono().get('/health', (c) =>
    c.json({
      ok: true,
      version: APP_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      ...details(),
    } satisfies Health),
  );
}
