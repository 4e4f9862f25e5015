import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { EditableSettings, MergeResponse, Session } from '@chatml/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';

type ErrorResponse = { error: { code: string; message: string; field?: string } };

describe('the defaults the Settings screen edits (GET/PATCH /settings)', () => {
  let harness: Harness;
  let workspaceId: string;
  let sessionCount = 0;
  const settingsPath = () => harness.server.paths.settings;
  const fileJson = () => JSON.parse(readFileSync(settingsPath(), 'utf8')) as Record<string, unknown>;
  const patch = <T = EditableSettings>(body: unknown) => harness.request<T>('PATCH', '/settings', body);
  const newSession = (body: Record<string, unknown> = {}) =>
    harness.createSession(workspaceId, { name: `settings-${++sessionCount}`, ...body });

  beforeAll(async () => {
    harness = await Harness.start();
    workspaceId = await harness.addWorkspace();
  });
  afterAll(() => harness?.close());
  beforeEach(async () => {
    rmSync(settingsPath(), { force: true });
    // Back to defaults in the running backend too (a PATCH takes both values from the file it saved).
    await patch({ archiveAfterMerge: false });
    rmSync(settingsPath(), { force: true });
  });

  it('answers the defaults when there is no settings.json', async () => {
    const { status, body } = await harness.request('GET', '/settings');
    expect(status).toBe(200);
    expect(body).toEqual({ defaultModel: null, archiveAfterMerge: false });
  });

  it('saves a default model that new sessions get at once, and null clears it', async () => {
    const client = await harness.ws();
    const saved = await patch({ defaultModel: 'opus' });
    // Every tab hears of it (another one may show the Settings screen).
    expect(await client.waitFor((frame) => frame.type === 'settings_updated')).toEqual({
      type: 'settings_updated',
      settings: { defaultModel: 'opus', archiveAfterMerge: false },
    });
    expect(saved).toEqual({ status: 200, body: { defaultModel: 'opus', archiveAfterMerge: false } });
    expect(fileJson()).toEqual({ defaultModel: 'opus' });
    expect(statSync(settingsPath()).mode & 0o777).toBe(0o600);
    expect((await harness.request('GET', '/settings')).body).toMatchObject({ defaultModel: 'opus' });

    expect((await newSession()).model).toBe('opus');
    expect((await newSession({ model: 'haiku' })).model).toBe('haiku');

    expect((await patch({ defaultModel: null })).body).toEqual({
      defaultModel: null,
      archiveAfterMerge: false,
    });
    expect(fileJson()).toEqual({});
    expect((await newSession()).model).toBeNull();
  });

  it('keeps every other key of the file, in its order, and takes a hand edit made since the start', async () => {
    writeFileSync(
      settingsPath(),
      JSON.stringify({
        runnerNiceness: 5,
        defaultModel: 'haiku',
        githubApiUrl: 'https://ghe.example/api/v3',
      }),
    );
    const { body } = await patch({ archiveAfterMerge: true });
    expect(body).toEqual({ defaultModel: 'haiku', archiveAfterMerge: true });
    expect(Object.entries(fileJson())).toEqual([
      ['runnerNiceness', 5],
      ['defaultModel', 'haiku'],
      ['githubApiUrl', 'https://ghe.example/api/v3'],
      ['archiveAfterMerge', true],
    ]);
    expect((await newSession()).model).toBe('haiku');
  });

  it('loses neither of two changes sent at once', async () => {
    writeFileSync(settingsPath(), JSON.stringify({ maxConcurrentTurns: 3 }));
    const answers = await Promise.all([
      patch({ defaultModel: 'sonnet' }),
      patch({ archiveAfterMerge: true }),
      patch({ defaultModel: 'sonnet' }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(fileJson()).toEqual({ maxConcurrentTurns: 3, defaultModel: 'sonnet', archiveAfterMerge: true });
    expect((await harness.request('GET', '/settings')).body).toEqual({
      defaultModel: 'sonnet',
      archiveAfterMerge: true,
    });
  });

  it('keeps the change across a restart', async () => {
    await patch({ defaultModel: 'claude-opus-4-1-20250805', archiveAfterMerge: true });
    await harness.restart();
    expect((await harness.request('GET', '/settings')).body).toEqual({
      defaultModel: 'claude-opus-4-1-20250805',
      archiveAfterMerge: true,
    });
    expect((await newSession()).model).toBe('claude-opus-4-1-20250805');
  });

  it.each([
    ['an unknown field', { maxConcurrentTurns: 64 }, undefined, /maxConcurrentTurns/],
    ['an option as a model', { defaultModel: '--help' }, 'defaultModel', /does not start with "-"/],
    ['an empty model', { defaultModel: '' }, 'defaultModel', /defaultModel/],
    ['a string for a boolean', { archiveAfterMerge: 'yes' }, 'archiveAfterMerge', /archiveAfterMerge/],
    ['null for a boolean', { archiveAfterMerge: null }, 'archiveAfterMerge', /archiveAfterMerge/],
    ['not an object', ['opus'], undefined, /Invalid request/],
  ])('refuses %s with 400 and leaves the file alone', async (_name, body, field, message) => {
    writeFileSync(settingsPath(), '{"defaultModel": "haiku"}');
    const refused = await patch<ErrorResponse>(body);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('bad_request');
    expect(refused.body.error.message).toMatch(message);
    expect(refused.body.error.field).toBe(field);
    expect(readFileSync(settingsPath(), 'utf8')).toBe('{"defaultModel": "haiku"}');
  });

  it('refuses a body that is not JSON with 400', async () => {
    const response = await fetch(`${harness.server.baseUrl}/api/v1/settings`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${harness.server.token}`, 'content-type': 'application/json' },
      body: '{defaultModel: opus',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorResponse).error.message).toBe(
      'The request body is not valid JSON.',
    );
    expect(existsSync(settingsPath())).toBe(false);
  });

  it.each([
    ['not JSON', '{"defaultModel": "opus",}', /is not valid JSON/],
    ['a setting out of range', '{"maxConcurrentTurns": 0}', /maxConcurrentTurns/],
    ['an unknown key', '{"defaultModle": "opus"}', /defaultModle/],
  ])(
    'will not overwrite a settings.json that is %s: 409 naming the file, which is left as it was',
    async (_name, text, problem) => {
      writeFileSync(settingsPath(), text);
      const refused = await patch<ErrorResponse>({ defaultModel: 'sonnet' });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('conflict');
      expect(refused.body.error.message).toContain(settingsPath());
      expect(refused.body.error.message).toMatch(problem);
      expect(refused.body.error.message).toMatch(/fix it/);
      expect(readFileSync(settingsPath(), 'utf8')).toBe(text);
      // Nothing changed in the running backend either.
      expect((await harness.request('GET', '/settings')).body).toEqual({
        defaultModel: null,
        archiveAfterMerge: false,
      });
    },
  );

  it('archives the session on the next merge back once archiveAfterMerge is on', async () => {
    const session = await newSession();
    writeFileSync(`${session.worktreePath}/merged.txt`, 'merged\n');
    expect(
      (await harness.request('POST', `/sessions/${session.id}/commit`, { message: 'Add merged.txt' })).status,
    ).toBe(201);
    await patch({ archiveAfterMerge: true });
    const merged = await harness.request<MergeResponse>('POST', `/sessions/${session.id}/merge`, {
      strategy: 'squash',
    });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ archived: true, branchDeleted: true });
    expect((await harness.request<Session>('GET', `/sessions/${session.id}`)).body.status).toBe('archived');
  });

  it.each([
    ['GET', undefined],
    ['PATCH', { defaultModel: 'opus' }],
  ])('refuses %s without the launch token (401) and changes nothing', async (method, body) => {
    const response = await fetch(`${harness.server.baseUrl}/api/v1/settings`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    expect(response.status).toBe(401);
    expect(existsSync(settingsPath())).toBe(false);
    expect((await harness.request('GET', '/settings')).body).toMatchObject({ defaultModel: null });
  });
});
