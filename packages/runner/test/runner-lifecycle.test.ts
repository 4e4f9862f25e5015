import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROTOCOL_VERSION } from '@chatml/protocol';
import { isAlive, processGroupMembers, waitUntil } from '@chatml/testkit';
import {
  FakeAnthropicServer,
  type ReplyContext,
  type ScriptedReply,
  scriptByPrompt,
  textReply,
  toolUseReply,
} from '@chatml/testkit/fake-anthropic';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunnerHarness } from './runner-harness.js';

let fake: FakeAnthropicServer;

function hangUntilAskedAgain(ctx: ReplyContext): ScriptedReply {
  return ctx.lastUserText === 'still there?' ? textReply('Yes, resumed.') : { hang: true };
}
const runners: RunnerHarness[] = [];

function startRunner(options: Omit<Parameters<typeof RunnerHarness.start>[0], 'fake'> = {}): RunnerHarness {
  const runner = RunnerHarness.start({ fake, ...options });
  runners.push(runner);
  return runner;
}

beforeAll(async () => {
  fake = await FakeAnthropicServer.start({
    handler: scriptByPrompt({
      'hello then eof': [textReply('Hi.')],
      'ask then shut down': [
        (ctx) => toolUseReply('Write', { file_path: `${ctx.cwd}/late.txt`, content: 'late' }),
      ],
      'hang then sigterm': [{ hang: true }],
      'early message': [textReply('Got the early message.')],
      // Whether the killed turn made it into the transcript is timing: if it did, the CLI adds a
      // synthetic "No response requested." reply to it, so the answer may be reply #2 or #3.
      'killed mid-turn': [textReply('Noted.'), hangUntilAskedAgain, hangUntilAskedAgain],
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
});

/** The SDK's transcript of a session, wherever under CLAUDE_CONFIG_DIR the CLI keeps it. */
function transcriptOf(runner: RunnerHarness, sdkSessionId: string): string {
  const projects = path.join(runner.root, 'home', '.claude', 'projects');
  if (!existsSync(projects)) return '';
  for (const project of readdirSync(projects)) {
    const file = path.join(projects, project, `${sdkSessionId}.jsonl`);
    if (existsSync(file)) return readFileSync(file, 'utf8');
  }
  return '';
}

/** The runner is gone, its claude child too, and nothing is left in its process group. */
async function expectNothingLeft(runner: RunnerHarness, claudePid: number) {
  await waitUntil(() => !isAlive(claudePid), { timeoutMs: 2000, what: 'the claude CLI to exit' });
  expect(processGroupMembers(runner.pid)).toEqual([]);
}

describe('runner lifecycle', () => {
  it('exits with code 0 when stdin closes and leaves no claude process behind', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'hello then eof' });
    await runner.next('result');
    const [claudePid] = runner.claudeProcesses();
    expect(claudePid).toBeGreaterThan(0);

    const closedAt = Date.now();
    runner.child.stdin?.end();
    await runner.next('exit');
    expect(await runner.waitForExit()).toEqual({ code: 0, signal: null });
    expect(Date.now() - closedAt).toBeLessThan(4000);
    await expectNothingLeft(runner, claudePid as number);
  });

  it('still stops its claude CLI and exits 0 when its stderr is gone (the backend was killed)', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'hello then eof' });
    await runner.next('result');
    const [claudePid] = runner.claudeProcesses();
    // As when the backend dies: the pipe's reading end closes, so the runner's next log line is an EPIPE.
    runner.child.stderr?.destroy();
    runner.child.stdin?.end();
    expect(await runner.waitForExit()).toEqual({ code: 0, signal: null });
    await expectNothingLeft(runner, claudePid as number);
  });

  it('on shutdown denies the open permission request, ends the turn with a result, and exits 0', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'ask then shut down' });
    await runner.next('permission_request');
    const [claudePid] = runner.claudeProcesses();

    runner.send({ type: 'shutdown' });
    const result = await runner.next('result');
    expect(result).toMatchObject({ turnId: 't1', result: { interrupted: true, isError: true } });
    expect((await runner.next('exit')).reason).toBe('shutdown requested');
    expect(await runner.waitForExit()).toEqual({ code: 0, signal: null });
    expect(existsSync(path.join(runner.cwd, 'late.txt'))).toBe(false);
    await expectNothingLeft(runner, claudePid as number);
  });

  it('handles SIGTERM like shutdown, even with a request hanging on the API', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'hang then sigterm' });
    await waitUntil(() => fake.requestsForPrompt('hang then sigterm').length > 0);
    const [claudePid] = runner.claudeProcesses();

    runner.child.kill('SIGTERM');
    expect((await runner.next('result')).result.interrupted).toBe(true);
    expect((await runner.next('exit')).reason).toBe('SIGTERM');
    expect(await runner.waitForExit()).toEqual({ code: 0, signal: null });
    await expectNothingLeft(runner, claudePid as number);
  });

  it('ends the turn with an error result when the claude process dies, and resumes on the next message', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'killed mid-turn' });
    const { sdkSessionId } = await runner.next('ready');
    await runner.next('result');
    // The CLI saves its transcript lazily; only a saved conversation can be resumed.
    await waitUntil(() => transcriptOf(runner, sdkSessionId).includes('Noted.'));
    runner.send({ type: 'user_message', turnId: 't2', text: 'now hang' });
    await waitUntil(() => fake.requestsForPrompt('killed mid-turn').length === 2);
    const [claudePid] = runner.claudeProcesses();

    process.kill(claudePid as number, 'SIGKILL');
    const error = await runner.next('error');
    const result = await runner.next('result', (event) => event.turnId === 't2');
    expect(error).toMatchObject({ turnId: 't2', code: 'sdk_error', retryable: true });
    expect(result.result).toMatchObject({
      isError: true,
      interrupted: false,
      subtype: 'error_during_execution',
    });

    runner.send({ type: 'user_message', turnId: 't3', text: 'still there?' });
    const next = await runner.next('result', (event) => event.turnId === 't3');
    expect(next.result).toMatchObject({ isError: false, text: 'Yes, resumed.' });
    expect(runner.claudeProcesses()).not.toContain(claudePid);
    const resumed = fake.requestsForPrompt('killed mid-turn').at(-1);
    expect(resumed?.headers['x-claude-code-session-id']).toBe(sdkSessionId);
    expect(JSON.stringify(resumed?.body)).toContain('Noted.');
  });

  it('keeps a user_message sent together with the hello and answers it', async () => {
    const runner = startRunner({ sendHello: false });
    const hello = {
      session: runner.session,
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION,
      config: { cwd: runner.cwd },
    };
    const message = { session: runner.session, type: 'user_message', turnId: 't1', text: 'early message' };
    runner.sendRaw(`${JSON.stringify(hello)}\n${JSON.stringify(message)}`);

    expect((await runner.next('result')).result.text).toBe('Got the early message.');
  });
});
