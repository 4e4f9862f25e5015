import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DiffStream } from '../git/diff-service.js';
import { type Logger, silentLogger } from '../logger.js';
import type { SessionGit } from '../sessions/session-git.js';
import { type AppDeps, createApp } from './app.js';
import { AccessPolicy } from './security.js';

const TOKEN = 't'.repeat(64);
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** The real app, with a session diff that writes `pieces` and then ends as `outcome` says. */
async function appStreaming(pieces: string[], outcome: 'ok' | 'fail'): Promise<string> {
  const stream: DiffStream = {
    async pipe(write) {
      for (const piece of pieces) {
        write(piece);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (outcome === 'fail') throw new Error('git died midway');
    },
  };
  return appWith(async () => stream);
}

/** The real app, with `diffStream` behind the session diff route. */
async function appWith(diffStream: SessionGit['diffStream'], logger: Logger = silentLogger): Promise<string> {
  const sessionGit = { diffStream } as unknown as SessionGit;
  const policy = new AccessPolicy(TOKEN);
  const deps = {
    policy,
    sessionGit,
    // Reading a diff from its start asks for the session's counts to be measured again.
    sessions: { refreshDiffStats: () => {} },
    logger,
    uiDir: undefined,
    forge: {},
  } as unknown as AppDeps;
  server = createServer(createApp(deps));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  policy.setPort(port);
  return `http://127.0.0.1:${port}/api/v1/sessions/ses_x/diff`;
}

const get = (url: string) => fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });

describe('a streamed answer', () => {
  it('arrives chunked, whole, as JSON', async () => {
    const url = await appStreaming(['{"files":[', '{"path":"a"}', ',{"path":"b"}', ']}'], 'ok');
    const response = await get(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(await response.json()).toEqual({ files: [{ path: 'a' }, { path: 'b' }] });
  });

  it('is cut off when it fails midway, so the client never takes a partial answer for a whole one', async () => {
    const url = await appStreaming(['{"files":[', '{"path":"a"}'], 'fail');
    const response = await get(url);
    expect(response.status).toBe(200); // the status line went out with the first piece
    await expect(response.text()).rejects.toThrow();
  });

  it('is dropped quietly when the client leaves first: its work is cancelled, and that is no error', async () => {
    const errors: string[] = [];
    let isCancelled = false;
    const url = await appWith(
      (_sessionId, _offset, signal) =>
        new Promise<DiffStream>((_resolve, reject) => {
          signal?.addEventListener('abort', () => {
            isCancelled = true;
            reject(new DOMException('This operation was aborted', 'AbortError'));
          });
        }),
      { ...silentLogger, error: (message) => errors.push(message) },
    );
    const leaving = new AbortController();
    const request = fetch(url, { headers: { authorization: `Bearer ${TOKEN}` }, signal: leaving.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    leaving.abort();
    await expect(request).rejects.toThrow();
    for (let i = 0; i < 100 && !isCancelled; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(isCancelled).toBe(true);
    expect(errors).toEqual([]);
  });
});
