import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '@chatml/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, WsClient } from '../harness.js';

/** Raw HTTP so tests can send any Host header (fetch will not let us forge it). */
function rawGet(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the local server is a locked door', () => {
  let harness: Harness;
  let workspaceId: string;
  beforeAll(async () => {
    harness = await Harness.start();
    workspaceId = await harness.addWorkspace();
  });
  afterAll(() => harness?.close());

  it('listens on loopback only', () => {
    expect(harness.server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers health with the token', async () => {
    const { status, body } = await harness.request('GET', '/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, protocolVersion: PROTOCOL_VERSION });
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token' }],
    ['a token of another scheme', { authorization: 'Basic abc' }],
  ])('refuses %s with 401 on every API route, health included', async (_name, headers) => {
    for (const path of [
      '/api/v1/health',
      '/api/v1/workspaces',
      `/api/v1/workspaces/${workspaceId}/sessions`,
    ]) {
      const response = await fetch(`${harness.server.baseUrl}${path}`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });

  it('refuses a token in the query string', async () => {
    const response = await fetch(`${harness.server.baseUrl}/api/v1/health?token=${harness.server.token}`);
    expect(response.status).toBe(401);
  });

  it('refuses a foreign Origin with 403 even with a valid token, and grants no CORS', async () => {
    const { status, body } = await harness.request('GET', '/workspaces', undefined, {
      origin: 'https://evil.example',
    });
    expect(status).toBe(403);
    expect(body).toMatchObject({ error: { code: 'forbidden' } });
    const preflight = await fetch(`${harness.server.baseUrl}/api/v1/workspaces`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('accepts its own Origin', async () => {
    const { status } = await harness.request('GET', '/workspaces', undefined, {
      origin: harness.server.baseUrl,
    });
    expect(status).toBe(200);
  });

  it.each(['evil.example', '127.0.0.1.nip.io', 'localhost', '127.0.0.1:1'])(
    'refuses Host %s (DNS rebinding)',
    async (host) => {
      const response = await rawGet(harness.server.port, '/api/v1/health', {
        host,
        authorization: `Bearer ${harness.server.token}`,
      });
      expect(response.status).toBe(403);
    },
  );

  it('serves the UI page without the token but never with CORS or caching', async () => {
    const response = await fetch(`${harness.server.baseUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  describe('WebSocket upgrade', () => {
    const url = () => `ws://127.0.0.1:${harness.server.port}/ws`;

    it('refuses an upgrade without a token', async () => {
      await expect(WsClient.connect(url(), {})).rejects.toThrow(/401/);
    });

    it('refuses an upgrade with a wrong token', async () => {
      await expect(WsClient.connect(url(), { authorization: 'Bearer nope' })).rejects.toThrow(/401/);
      await expect(WsClient.connect(url(), {}, ['chatml.v1', 'chatml.token.nope'])).rejects.toThrow(/401/);
    });

    it('refuses the token in the query string', async () => {
      await expect(WsClient.connect(`${url()}?token=${harness.server.token}`, {})).rejects.toThrow(/401/);
    });

    it('refuses a foreign Origin even with a valid token', async () => {
      await expect(
        WsClient.connect(url(), {
          authorization: `Bearer ${harness.server.token}`,
          origin: 'https://evil.example',
        }),
      ).rejects.toThrow(/403/);
    });

    it('accepts a browser-style token subprotocol and selects only chatml.v1', async () => {
      const client = await WsClient.connect(url(), { origin: harness.server.baseUrl }, [
        'chatml.v1',
        `chatml.token.${harness.server.token}`,
      ]);
      expect(client.socket.protocol).toBe('chatml.v1');
      await client.waitFor((frame) => frame.type === 'hello');
      client.close();
    });

    it('replays nothing for a session that does not exist', async () => {
      const client = await harness.ws();
      client.subscribe('ses_does_not_exist', 0);
      const error = await client.waitFor((frame) => frame.type === 'error');
      expect(error).toMatchObject({ code: 'not_found', sessionId: 'ses_does_not_exist' });
      expect(client.frames.filter((frame) => frame.type === 'event')).toEqual([]);
    });

    it('answers a malformed frame with an error and keeps the connection', async () => {
      const client = await harness.ws();
      client.socket.send('{nope');
      await client.waitFor((frame) => frame.type === 'error' && frame.code === 'bad_request');
      client.send({ type: 'ping', nonce: 'n1' });
      await client.waitFor((frame) => frame.type === 'pong' && frame.nonce === 'n1');
    });
  });

  describe('hostile names', () => {
    it.each(['x;touch pwn', '../escape', '-rf', 'a..b', 'has space', 'a@{b', 'x\u0007y', '.hidden'])(
      'refuses session name %j and creates nothing',
      async (name) => {
        const before = await harness.repo.git(['branch', '--list']);
        const { status, body } = await harness.request('POST', `/workspaces/${workspaceId}/sessions`, {
          name,
        });
        expect(status).toBe(400);
        expect(body).toMatchObject({ error: { code: expect.stringMatching(/bad_request|invalid_name/) } });
        // Refused by the body's schema, the answer names the field (forms mark it).
        const { error } = body as { error: { code: string; field?: string; fieldMessage?: string } };
        if (error.code === 'bad_request')
          expect(error).toMatchObject({ field: 'name', fieldMessage: expect.any(String) });
        expect(await harness.repo.git(['branch', '--list'])).toBe(before);
        expect(existsSync(join(harness.repo.path, 'pwn'))).toBe(false);
        expect(existsSync('pwn')).toBe(false);
      },
    );

    it('refuses a name that differs from a session of the workspace only in letter case', async () => {
      expect(
        (await harness.request('POST', `/workspaces/${workspaceId}/sessions`, { name: 'Case-Test' })).status,
      ).toBe(201);
      const clash = await harness.request('POST', `/workspaces/${workspaceId}/sessions`, {
        name: 'case-test',
      });
      expect(clash.status).toBe(409);
      expect(await harness.repo.git(['branch', '--list', 'chatml/case-test'])).toBe('');
    });

    it.each(['main;touch pwn', '--orphan', 'no such branch'])(
      'refuses base branch %j',
      async (baseBranch) => {
        const { status } = await harness.request('POST', `/workspaces/${workspaceId}/sessions`, {
          baseBranch,
        });
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      },
    );

    it('refuses an ext:: clone URL and records nothing', async () => {
      const { status } = await harness.request('POST', '/workspaces', {
        cloneUrl: 'ext::sh -c touch% /tmp/pwned',
      });
      expect(status).toBe(400);
      expect(
        (await harness.request<{ workspaces: unknown[] }>('GET', '/workspaces')).body.workspaces,
      ).toHaveLength(1);
    });
  });

  describe('bad input', () => {
    it('refuses non-JSON and unknown fields with a clear 400', async () => {
      const response = await fetch(`${harness.server.baseUrl}/api/v1/workspaces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${harness.server.token}`, 'content-type': 'application/json' },
        body: '{nope',
      });
      expect(response.status).toBe(400);
      const unknown = await harness.request('POST', `/workspaces/${workspaceId}/sessions`, { nmae: 'typo' });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ error: { code: 'bad_request' } });
    });

    it('says plainly when a path is not a git repository, does not exist, or is not a full path', async () => {
      const { status, body } = await harness.request('POST', '/workspaces', { path: harness.home.path });
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: { code: 'not_a_git_repo' } });
      const missing = await harness.request('POST', '/workspaces', { path: `${harness.home.path}/nope` });
      expect(missing.body).toMatchObject({
        error: { message: expect.stringMatching(/nope does not exist/) },
      });
      // Relative to what? The backend's working folder is not the user's: refused, not guessed.
      const relative = await harness.request('POST', '/workspaces', { path: 'projects/app' });
      expect(relative.status).toBe(400);
      expect(relative.body).toMatchObject({ error: { message: expect.stringMatching(/not a full path/) } });
    });

    it('returns 404 for unknown sessions and routes', async () => {
      expect((await harness.request('GET', '/sessions/ses_nope')).status).toBe(404);
      expect((await harness.request('GET', '/nope')).status).toBe(404);
    });
  });
});
