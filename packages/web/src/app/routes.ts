/** The app's URLs. The backend serves index.html for `/`, `/settings` and every `/w/…` path. */
export type Route =
  | { name: 'home' }
  | { name: 'workspace'; workspaceId: string }
  | { name: 'session'; workspaceId: string; sessionId: string }
  | { name: 'settings' }
  | { name: 'not_found' };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter((part) => part !== '');
  if (parts.length === 0) return { name: 'home' };
  if (parts.length === 1 && parts[0] === 'settings') return { name: 'settings' };
  const [first, workspaceId, third, sessionId] = parts.map(decodeURIComponent);
  if (first !== 'w' || !workspaceId) return { name: 'not_found' };
  if (parts.length === 2) return { name: 'workspace', workspaceId };
  if (parts.length === 4 && third === 's' && sessionId) return { name: 'session', workspaceId, sessionId };
  return { name: 'not_found' };
}

export function workspacePath(workspaceId: string): string {
  return `/w/${encodeURIComponent(workspaceId)}`;
}

export function sessionPath(workspaceId: string, sessionId: string): string {
  return `${workspacePath(workspaceId)}/s/${encodeURIComponent(sessionId)}`;
}

export const SETTINGS_PATH = '/settings';
