import { readFileSync } from 'node:fs';
import { Health, ServerInfo } from '@chatml/protocol';

/** Reads `server.json`; undefined when absent or unreadable (no backend, or a stale file). */
export function readServerInfo(path: string): ServerInfo | undefined {
  try {
    const parsed = ServerInfo.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Asks a backend for its health with the token; undefined when it does not answer properly. */
export async function checkHealth(
  port: number,
  token: string,
  timeoutMs = 2000,
): Promise<Health | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/health`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return undefined;
    const parsed = Health.safeParse(await response.json());
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
