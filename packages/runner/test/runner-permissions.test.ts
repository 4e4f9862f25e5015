import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitUntil } from '@chatml/testkit';
import {
  FakeAnthropicServer,
  type ReplyContext,
  scriptByPrompt,
  textReply,
  toolUseReply,
} from '@chatml/testkit/fake-anthropic';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunnerHarness } from './runner-harness.js';

const interruptAtOnce = (ctx: ReplyContext) =>
  ctx.lastUserText === 'and then?' ? textReply('Next turn.') : textReply('Too late.', { delayMs: 15_000 });

let fake: FakeAnthropicServer;
let outside: string;
const runners: RunnerHarness[] = [];

function startRunner(options: Omit<Parameters<typeof RunnerHarness.start>[0], 'fake'> = {}): RunnerHarness {
  const runner = RunnerHarness.start({ fake, ...options });
  runners.push(runner);
  return runner;
}

/** A Write of `relativePath` (resolved against the session's cwd the fake saw), then a closing text. */
function writeThenSummarize(target: (ctx: ReplyContext) => string, content: string) {
  return [
    (ctx: ReplyContext) =>
      toolUseReply('Write', { file_path: target(ctx), content }, { text: 'Writing it.' }),
    (ctx: ReplyContext) => {
      const result = ctx.toolResults[0];
      return textReply(result?.isError ? `Tool failed: ${result.text}` : 'File written.');
    },
  ];
}

beforeAll(async () => {
  outside = mkdtempSync(path.join(tmpdir(), 'chatml-outside-'));
  fake = await FakeAnthropicServer.start({
    handler: scriptByPrompt({
      'write allowed': writeThenSummarize((ctx) => `${ctx.cwd}/notes/allowed.txt`, 'allowed content\n'),
      'write denied': writeThenSummarize((ctx) => `${ctx.cwd}/denied.txt`, 'should not exist'),
      'write accepted': writeThenSummarize((ctx) => `${ctx.cwd}/accepted.txt`, 'accepted content'),
      'escape with dotdot': writeThenSummarize((ctx) => `${ctx.cwd}/../escape.txt`, 'escaped'),
      'escape absolute': writeThenSummarize(() => path.join(outside, 'absolute.txt'), 'escaped'),
      'escape via symlink': writeThenSummarize((ctx) => `${ctx.cwd}/link/symlinked.txt`, 'escaped'),
      'escape in accept mode': writeThenSummarize(() => path.join(outside, 'accept-mode.txt'), 'escaped'),
      'escape in bypass mode': writeThenSummarize(() => path.join(outside, 'bypass-mode.txt'), 'escaped'),
      // The interrupted request leaves no assistant message, so the follow-up is still reply #1.
      'hang forever': [
        (ctx) =>
          ctx.lastUserText === 'are you back?' ? textReply('Back after the interrupt.') : { hang: true },
      ],
      // Twice: whether the interrupted first turn left an assistant message in the history the
      // second turn re-sends depends on how far the CLI had got, so either step may answer it.
      'interrupt at once': [interruptAtOnce, interruptAtOnce],
      'interrupt the question': writeThenSummarize((ctx) => `${ctx.cwd}/never.txt`, 'never'),
      'switch modes': [
        textReply('Ready when you are.'),
        ...writeThenSummarize((ctx) => `${ctx.cwd}/after-switch.txt`, 'written after the switch'),
      ],
      'switch to bypass': [
        textReply('Ready when you are.'),
        ...writeThenSummarize((ctx) => `${ctx.cwd}/bypassed.txt`, 'written in bypass mode'),
      ],
    }),
  });
});

afterEach(async () => {
  for (const runner of runners.splice(0).reverse()) {
    expect(runner.violations).toEqual([]);
    await runner.dispose();
  }
});

afterAll(async () => {
  await fake.close();
  rmSync(outside, { recursive: true, force: true });
});

describe('tool permissions in default mode', () => {
  it('asks before a Write and writes the file once allowed', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'write allowed' });

    const request = await runner.next('permission_request');
    expect(request).toMatchObject({ turnId: 't1', tool: 'Write' });
    expect(request.input).toMatchObject({ file_path: path.join(runner.cwd, 'notes/allowed.txt') });
    expect(existsSync(path.join(runner.cwd, 'notes/allowed.txt'))).toBe(false);
    runner.send({ type: 'permission_response', requestId: request.requestId, allow: true });

    const result = await runner.next('result');
    expect(result.result).toMatchObject({ isError: false, text: 'File written.' });
    expect(readFileSync(path.join(runner.cwd, 'notes/allowed.txt'), 'utf8')).toBe('allowed content\n');
    const toolUse = await runner.next('tool_use');
    expect(toolUse).toMatchObject({ tool: 'Write', turnId: 't1' });
    // The request names the call it is about, so the UI can attach it to the right card.
    expect(request.toolUseId).toBe(toolUse.id);
    expect(await runner.next('tool_result')).toMatchObject({ id: toolUse.id, ok: true });
    const types = runner.turnEvents('t1').map((event) => event.type);
    expect(types.indexOf('tool_use')).toBeLessThan(types.indexOf('permission_request'));
  });

  it('does not write a denied file and tells the model why', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'write denied' });

    const request = await runner.next('permission_request');
    runner.send({
      type: 'permission_response',
      requestId: request.requestId,
      allow: false,
      message: 'Not this file, please.',
    });

    const result = await runner.next('result');
    expect(existsSync(path.join(runner.cwd, 'denied.txt'))).toBe(false);
    expect(await runner.next('tool_result')).toMatchObject({ ok: false });
    expect(result.result.text).toContain('Not this file, please.');
    expect(JSON.stringify(fake.requestsForPrompt('write denied').at(-1)?.body)).toContain(
      'Not this file, please.',
    );
  });

  it('writes without asking in acceptEdits mode', async () => {
    const runner = startRunner({ config: { permissionMode: 'acceptEdits' } });
    runner.send({ type: 'user_message', turnId: 't1', text: 'write accepted' });

    const result = await runner.next('result');
    expect(result.result.text).toBe('File written.');
    expect(readFileSync(path.join(runner.cwd, 'accepted.txt'), 'utf8')).toBe('accepted content');
    expect(runner.events.some((event) => event.type === 'permission_request')).toBe(false);
  });
});

describe('changing the permission mode mid-session', () => {
  it('applies acceptEdits to the next turn of the live query', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'switch modes' });
    await runner.next('result');
    const [claudePid] = runner.claudeProcesses();

    runner.send({ type: 'set_permission_mode', mode: 'acceptEdits' });
    runner.send({ type: 'user_message', turnId: 't2', text: 'now write the file' });
    const result = await runner.next('result');

    expect(result.result.text).toBe('File written.');
    expect(readFileSync(path.join(runner.cwd, 'after-switch.txt'), 'utf8')).toBe('written after the switch');
    expect(runner.events.some((event) => event.type === 'permission_request')).toBe(false);
    expect(runner.claudeProcesses()).toEqual([claudePid]);
  });

  it('relaunches the agent, resuming the conversation, to switch to bypassPermissions', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'switch to bypass' });
    const { sdkSessionId } = await runner.next('ready');
    await runner.next('result');

    runner.send({ type: 'set_permission_mode', mode: 'bypassPermissions' });
    runner.send({ type: 'user_message', turnId: 't2', text: 'now write without asking' });
    const result = await runner.next('result');

    expect(result.result.text).toBe('File written.');
    expect(readFileSync(path.join(runner.cwd, 'bypassed.txt'), 'utf8')).toBe('written in bypass mode');
    expect(runner.events.some((event) => event.type === 'permission_request')).toBe(false);
    expect(JSON.stringify(fake.requestsForPrompt('switch to bypass').at(-1)?.body)).toContain(
      'Ready when you are.',
    );
    expect(
      runner.events.filter((event) => event.type === 'ready').map((event) => event.sdkSessionId),
    ).toEqual([sdkSessionId]);
  });
});

describe('the worktree fence', () => {
  async function expectDeniedWithoutAsking(runner: RunnerHarness, prompt: string, target: string) {
    runner.send({ type: 'user_message', turnId: 't1', text: prompt });
    const result = await runner.next('result');
    expect(runner.events.some((event) => event.type === 'permission_request')).toBe(false);
    expect(await runner.next('tool_result')).toMatchObject({ ok: false });
    expect(result.result.text).toContain('outside this session');
    expect(existsSync(target)).toBe(false);
  }

  it('denies a Write to ../ of the worktree without asking', async () => {
    const runner = startRunner();
    await expectDeniedWithoutAsking(runner, 'escape with dotdot', path.join(runner.cwd, '..', 'escape.txt'));
  });

  it('denies a Write to an absolute path elsewhere without asking', async () => {
    const runner = startRunner();
    await expectDeniedWithoutAsking(runner, 'escape absolute', path.join(outside, 'absolute.txt'));
  });

  it('denies a Write through a symlink in the worktree that points outside', async () => {
    const runner = startRunner();
    const target = path.join(outside, 'linked');
    mkdirSync(target);
    symlinkSync(target, path.join(runner.cwd, 'link'));
    await expectDeniedWithoutAsking(runner, 'escape via symlink', path.join(target, 'symlinked.txt'));
  });

  it('holds in acceptEdits and bypassPermissions modes, which never ask', async () => {
    const accept = startRunner({ config: { permissionMode: 'acceptEdits' } });
    const bypass = startRunner({ config: { permissionMode: 'bypassPermissions' } });
    await Promise.all([
      expectDeniedWithoutAsking(accept, 'escape in accept mode', path.join(outside, 'accept-mode.txt')),
      expectDeniedWithoutAsking(bypass, 'escape in bypass mode', path.join(outside, 'bypass-mode.txt')),
    ]);
  });
});

describe('interrupt', () => {
  it('ends a turn stuck on the API within a second, marked interrupted, and takes the next turn', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'hang forever' });
    await waitUntil(() => fake.requestsForPrompt('hang forever').length > 0);

    const startedAt = Date.now();
    runner.send({ type: 'interrupt', turnId: 't1' });
    const result = await runner.next('result');

    expect(Date.now() - startedAt).toBeLessThan(1000);
    expect(result).toMatchObject({ turnId: 't1', result: { interrupted: true } });
    runner.send({ type: 'user_message', turnId: 't2', text: 'are you back?' });
    const next = await runner.next('result');
    expect(next.result).toMatchObject({ isError: false, interrupted: false });
    expect(next.result.text).toBe('Back after the interrupt.');
  });

  it('ends a turn interrupted right after it was sent, before the CLI had begun it', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'interrupt at once' });
    runner.send({ type: 'interrupt', turnId: 't1' });
    const sentAt = Date.now();

    const result = await runner.next('result');
    expect(result).toMatchObject({ turnId: 't1', result: { interrupted: true, isError: true } });
    // Well before the scripted reply would have come (15 s): the interrupt reached the turn, and
    // the bound leaves room for the CLI's start-up on a loaded machine.
    expect(Date.now() - sentAt).toBeLessThan(8000);
    expect(JSON.stringify(runner.turnEvents('t1'))).not.toContain('Too late.');

    runner.send({ type: 'user_message', turnId: 't2', text: 'and then?' });
    expect((await runner.next('result')).result.text).toBe('Next turn.');
  });

  it('denies an open permission request when its turn is interrupted', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'interrupt the question' });
    const request = await runner.next('permission_request');

    runner.send({ type: 'interrupt' });
    const result = await runner.next('result');
    expect(result.result.interrupted).toBe(true);
    expect(existsSync(path.join(runner.cwd, 'never.txt'))).toBe(false);

    runner.send({ type: 'permission_response', requestId: request.requestId, allow: true });
    expect(await runner.next('error')).toMatchObject({ code: 'unknown_permission_request' });
  });
});
