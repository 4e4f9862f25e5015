import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ONESHOT_MAIN_PATH } from '@chatml/runner';
import {
  FakeAnthropicServer,
  makeTempDir,
  processGroupMembers,
  type TempDir,
  textReply,
  waitUntil,
} from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DraftFailedError, runOneShotProcess } from './oneshot-process.js';

describe('runOneShotProcess', () => {
  let fake: FakeAnthropicServer;
  let home: TempDir;

  beforeEach(async () => {
    fake = await FakeAnthropicServer.start();
    home = await makeTempDir('oneshot');
  });
  afterEach(async () => {
    await fake.close();
    await home.cleanup();
  });

  function env(): NodeJS.ProcessEnv {
    const userHome = join(home.path, 'home');
    mkdirSync(userHome, { recursive: true });
    return {
      PATH: process.env.PATH,
      HOME: userHome,
      CLAUDE_CONFIG_DIR: join(userHome, '.claude'),
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-test-not-a-secret',
      CLAUDE_CODE_MAX_RETRIES: '0',
      IS_SANDBOX: '1',
      CHATML_RUNNER_TMPDIR: join(home.path, 'tmp'),
    };
  }

  it('returns the model text, sends no tools, and leaves nothing running', async () => {
    fake.setHandler(() => textReply('Fix the typo'));
    let pid = 0;
    const text = await runOneShotProcess({
      mainPath: ONESHOT_MAIN_PATH,
      env: env(),
      request: { cwd: home.path, prompt: 'Write a commit message for: typo', systemPrompt: 'Be brief.' },
      onSpawn: (spawned) => {
        pid = spawned;
      },
    });
    expect(text).toBe('Fix the typo');
    expect(fake.messageRequests).toHaveLength(1);
    const body = fake.messageRequests[0]?.body as { tools?: unknown[] };
    expect(body.tools ?? []).toEqual([]);
    await waitUntil(() => processGroupMembers(pid).length === 0, { what: 'the one-shot group to be gone' });
  });

  it('kills the whole process group, claude included, when the draft is cancelled mid-call', async () => {
    fake.setHandler(() => ({ hang: true }));
    let pid = 0;
    const controller = new AbortController();
    const run = runOneShotProcess({
      mainPath: ONESHOT_MAIN_PATH,
      env: env(),
      request: { cwd: home.path, prompt: 'hang' },
      signal: controller.signal,
      onSpawn: (spawned) => {
        pid = spawned;
      },
    });
    // The claude CLI is up and waiting on the model: there is a child that could be orphaned.
    await fake.waitForMessageRequests(1, 30_000);
    expect(processGroupMembers(pid).length).toBeGreaterThan(1);
    controller.abort();
    await expect(run).rejects.toThrow('The draft was cancelled.');
    await waitUntil(() => processGroupMembers(pid).length === 0, { what: 'the one-shot group to be gone' });
  });

  it('gives up after its timeout', async () => {
    fake.setHandler(() => ({ hang: true }));
    let pid = 0;
    await expect(
      runOneShotProcess({
        mainPath: ONESHOT_MAIN_PATH,
        env: env(),
        request: { cwd: home.path, prompt: 'hang' },
        timeoutMs: 200,
        onSpawn: (spawned) => {
          pid = spawned;
        },
      }),
    ).rejects.toBeInstanceOf(DraftFailedError);
    await waitUntil(() => processGroupMembers(pid).length === 0, { what: 'the one-shot group to be gone' });
  });
});
