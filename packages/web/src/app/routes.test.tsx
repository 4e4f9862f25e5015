import { describe, expect, it } from 'vitest';
import { parseRoute, sessionPath, workspacePath } from './routes';

describe('routes', () => {
  it('parses the three app routes', () => {
    expect(parseRoute('/')).toEqual({ name: 'home' });
    expect(parseRoute('/w/ws_1')).toEqual({ name: 'workspace', workspaceId: 'ws_1' });
    expect(parseRoute('/w/ws_1/s/ses_2')).toEqual({
      name: 'session',
      workspaceId: 'ws_1',
      sessionId: 'ses_2',
    });
    expect(parseRoute('/w/ws_1/s/ses_2/')).toEqual({
      name: 'session',
      workspaceId: 'ws_1',
      sessionId: 'ses_2',
    });
  });

  it('round-trips ids through paths and rejects anything else', () => {
    expect(parseRoute(sessionPath('ws 1', 'ses/2'))).toEqual({
      name: 'session',
      workspaceId: 'ws 1',
      sessionId: 'ses/2',
    });
    expect(parseRoute(workspacePath('ws_1'))).toEqual({ name: 'workspace', workspaceId: 'ws_1' });
    expect(parseRoute('/x')).toEqual({ name: 'not_found' });
    expect(parseRoute('/settings')).toEqual({ name: 'settings' });
    expect(parseRoute('/settings/x')).toEqual({ name: 'not_found' });
    expect(parseRoute('/w/ws_1/x/ses_2')).toEqual({ name: 'not_found' });
  });
});
