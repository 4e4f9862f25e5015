import { mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';

function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serving the built UI', () => {
  let harness: Harness;
  let ui: TempDir;
  beforeAll(async () => {
    ui = await makeTempDir('ui');
    mkdirSync(join(ui.path, 'assets'));
    writeFileSync(
      join(ui.path, 'index.html'),
      '<!doctype html><title>ChatML UI</title><script src="/assets/app-1.js"></script>',
    );
    writeFileSync(join(ui.path, 'assets', 'app-1.js'), 'console.log("app")');
    harness = await Harness.start({ server: { uiDir: ui.path } });
  });
  afterAll(async () => {
    await harness?.close();
    await ui?.cleanup();
  });

  it.each(['/', '/index.html', '/w/ws_1', '/w/ws_1/s/ses_2', '/settings'])(
    'serves the app shell at %s with a strict CSP and no caching',
    async (path) => {
      const response = await fetch(`${harness.server.baseUrl}${path}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<title>ChatML UI</title>');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    },
  );

  it('serves hashed assets with long-lived caching', async () => {
    const response = await fetch(`${harness.server.baseUrl}/assets/app-1.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toContain('immutable');
  });

  it.each(['/assets/../../../../etc/passwd', '/assets/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc/passwd'])(
    'never serves a file outside the UI folder (%s)',
    async (path) => {
      const response = await rawGet(harness.server.port, path);
      expect(response.status).toBe(404);
      expect(response.body).not.toContain('root:');
    },
  );

  it('answers HEAD and a matching If-None-Match without the body', async () => {
    const url = `${harness.server.baseUrl}/assets/app-1.js`;
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String('console.log("app")'.length));
    const etag = head.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/"/);
    const again = await fetch(url, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('serves no dotfile, folder or symlink', async () => {
    writeFileSync(join(ui.path, '.env'), 'SECRET=1');
    symlinkSync('/etc/passwd', join(ui.path, 'assets', 'link.js'));
    for (const path of ['/.env', '/assets', '/assets/', '/assets/link.js', '/%00', '/bad%']) {
      const response = await rawGet(harness.server.port, path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toMatch(/SECRET|root:/);
    }
  });

  it('survives the UI being rebuilt while it runs: an old asset is a 404, the new page is served', async () => {
    // What a second `npm start` does to the build of a running backend.
    rmSync(join(ui.path, 'assets', 'app-1.js'));
    writeFileSync(join(ui.path, 'assets', 'app-2.js'), 'console.log("app 2")');
    writeFileSync(
      join(ui.path, 'index.html'),
      '<!doctype html><title>ChatML UI</title><script src="/assets/app-2.js"></script>',
    );
    // A rewrite within the same millisecond as the first must still be seen.
    utimesSync(join(ui.path, 'index.html'), new Date(), new Date(Date.now() + 5_000));
    expect((await rawGet(harness.server.port, '/assets/app-1.js')).status).toBe(404);
    expect(await (await fetch(`${harness.server.baseUrl}/`)).text()).toContain('/assets/app-2.js');
    expect((await rawGet(harness.server.port, '/assets/app-2.js')).body).toBe('console.log("app 2")');
    // Mid-rebuild (no index.html at all) the last good page is served.
    rmSync(join(ui.path, 'index.html'));
    expect(await (await fetch(`${harness.server.baseUrl}/w/ws_1`)).text()).toContain('/assets/app-2.js');
    expect((await harness.request('GET', '/health')).status).toBe(200);
  });

  it('still guards the API with the token', async () => {
    expect((await fetch(`${harness.server.baseUrl}/api/v1/health`)).status).toBe(401);
    expect((await harness.request('GET', '/health')).status).toBe(200);
  });
});
