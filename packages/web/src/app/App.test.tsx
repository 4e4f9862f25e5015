// @vitest-environment happy-dom
import '../test/dom';
import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api/rest-client';
import { TOKEN_STORAGE_KEY } from '../api/token';
import { WsClient } from '../api/ws-client';
import { MissingToken } from '../components/MissingToken';
import { CatalogStore } from '../state/catalog-store';
import { fakeSocketFactory } from '../test/fake-web-socket';
import { App } from './App';
import { createServices, ServicesProvider } from './services';

/** A backend that restarted with a new token: every request of this tab is a 401. */
function renderWithRefusingBackend(onNewToken = vi.fn()) {
  const requests: string[] = [];
  const fetch = async (input: string) => {
    requests.push(input);
    return new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'bad token' } }), {
      status: 401,
      headers: { 'content-type': 'application/json' },
    });
  };
  const api = new ApiClient('stale', { fetch });
  const sockets = fakeSocketFactory();
  const ws = new WsClient({
    url: 'ws://test/ws',
    token: 'stale',
    createSocket: sockets.create,
    heartbeatMs: 0,
  });
  const services = { ...createServices('stale'), api, ws, catalog: new CatalogStore(api, ws) };
  ws.start();
  render(
    <ServicesProvider services={services}>
      <App onNewToken={onNewToken} />
    </ServicesProvider>,
  );
  return { requests, sockets, onNewToken };
}

describe('a tab whose token the backend refuses', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    sessionStorage.setItem(TOKEN_STORAGE_KEY, 'stale');
    history.replaceState(null, '', '/');
  });
  afterEach(() => {
    vi.useRealTimers();
    sessionStorage.clear();
  });

  /** The socket is refused too (a browser sees only a close); then the page says why. */
  async function expectRefusedPage(sockets: ReturnType<typeof renderWithRefusingBackend>['sockets']) {
    await act(async () => sockets.latest().drop());
    await act(async () => {
      await vi.advanceTimersByTimeAsync(100);
    });
    expect(
      screen.getByText(
        'The backend does not accept this tab’s access token: it is from an earlier launch of ChatML, or was mistyped.',
      ),
    ).toBeTruthy();
  }

  it('says so, then stops asking the backend and stops reconnecting the socket', async () => {
    const { requests, sockets } = renderWithRefusingBackend();
    await expectRefusedPage(sockets);

    const healthChecks = () => requests.filter((url) => url.endsWith('/health')).length;
    const checksSoFar = healthChecks();
    const socketsSoFar = sockets.sockets.length;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(60_000);
    });
    expect(healthChecks()).toBe(checksSoFar);
    expect(sockets.sockets.length).toBe(socketsSoFar);
  });

  it('takes the fresh launch link pasted into the same tab: stored, address bar cleared, started over', async () => {
    const { sockets, onNewToken } = renderWithRefusingBackend();
    await expectRefusedPage(sockets);

    await act(async () => {
      history.replaceState(null, '', '/#token=fresh');
      window.dispatchEvent(new Event('hashchange'));
    });
    expect(location.hash).toBe('');
    expect(location.href).not.toContain('fresh');
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('fresh');
    expect(onNewToken).toHaveBeenCalledTimes(1);
    expect(onNewToken).toHaveBeenCalledWith('fresh');
  });
});

describe('MissingToken (a tab opened without a token)', () => {
  afterEach(() => sessionStorage.clear());

  it('takes a launch link pasted into the tab', () => {
    const onNewToken = vi.fn();
    render(<MissingToken isExpired={false} onNewToken={onNewToken} />);
    history.replaceState(null, '', '/w/ws_1#token=first');
    window.dispatchEvent(new Event('hashchange'));
    expect(location.hash).toBe('');
    expect(location.pathname).toBe('/w/ws_1');
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('first');
    expect(onNewToken).toHaveBeenCalledWith('first');
  });
});
