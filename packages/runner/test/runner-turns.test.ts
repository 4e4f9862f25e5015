import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION } from '@chatml/protocol';
import { FakeAnthropicServer, scriptByPrompt, textReply } from '@chatml/testkit/fake-anthropic';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunnerHarness } from './runner-harness.js';

let fake: FakeAnthropicServer;
const runners: RunnerHarness[] = [];

function startRunner(options: Omit<Parameters<typeof RunnerHarness.start>[0], 'fake'> = {}): RunnerHarness {
  const runner = RunnerHarness.start({ fake, ...options });
  runners.push(runner);
  return runner;
}

beforeAll(async () => {
  fake = await FakeAnthropicServer.start({
    handler: scriptByPrompt({
      'stream a greeting': [
        {
          content: [
            { type: 'thinking', thinking: 'A greeting, then.' },
            { type: 'text', text: 'Hello from the fake model, streamed in pieces.' },
          ],
          chunkSize: 6,
        },
      ],
      'first of two turns': [textReply('Answer one.'), textReply('Answer two.')],
      'back to back': [textReply('First reply.'), textReply('Second reply.')],
      'after garbage': [textReply('Still here.')],
      'api failure': [{ error: { status: 500, message: 'fake outage' } }],
      'change the model': [textReply('On the default model.'), textReply('On the new model.')],
      'unknown session': [textReply('Fresh start.')],
      'resume me': [textReply('Remember the number 42.'), textReply('The number was 42.')],
    }),
  });
});

afterEach(async () => {
  // Newest first: a resumed runner borrows the temp dirs of the one before it.
  for (const runner of runners.splice(0).reverse()) {
    expect(runner.violations).toEqual([]);
    await runner.dispose();
  }
});

afterAll(async () => {
  await fake.close();
});

describe('runner turns', () => {
  it('answers the hello, then streams deltas, the assistant message and one result for a turn', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'please stream a greeting' });

    const hello = await runner.next('hello');
    expect(hello).toMatchObject({ protocolVersion: PROTOCOL_VERSION, pid: runner.pid });
    expect(runner.events[0]?.type).toBe('hello');
    const ready = await runner.next('ready');
    expect(ready.sdkSessionId).toMatch(/[0-9a-f-]{36}/);
    const result = await runner.next('result');
    expect(result.result).toMatchObject({ isError: false, interrupted: false, subtype: 'success' });

    const turn = runner.turnEvents('t1');
    const types = turn.map((event) => event.type);
    const deltas = turn.flatMap((event) => (event.type === 'stream_delta' ? [event] : []));
    const thinking = deltas.filter((delta) => delta.kind === 'thinking');
    const text = deltas.filter((delta) => delta.kind === 'text');
    expect(text.length).toBeGreaterThan(3);
    expect(text.map((delta) => delta.text).join('')).toBe('Hello from the fake model, streamed in pieces.');
    expect(thinking.map((delta) => delta.text).join('')).toBe('A greeting, then.');
    expect(thinking.every((delta) => delta.blockIndex === 0)).toBe(true);
    expect(text.every((delta) => delta.blockIndex === 1)).toBe(true);
    expect(types.lastIndexOf('stream_delta')).toBeLessThan(types.indexOf('assistant_message'));
    expect(types.indexOf('assistant_message')).toBeLessThan(types.indexOf('result'));
    expect(types.filter((type) => type === 'result')).toHaveLength(1);
    const message = await runner.next('assistant_message');
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'A greeting, then.' },
      { type: 'text', text: 'Hello from the fake model, streamed in pieces.' },
    ]);
    expect(message.messageId).toBe(deltas[0]?.messageId);
  });

  it('runs a second turn in the same live query, with the whole history sent to the API', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'first of two turns' });
    await runner.next('result', (event) => event.turnId === 't1');
    const claudeBefore = runner.claudeProcesses();
    expect(claudeBefore).toHaveLength(1);

    runner.send({ type: 'user_message', turnId: 't2', text: 'and the second one' });
    const second = await runner.next('result', (event) => event.turnId === 't2');

    expect(second.result).toMatchObject({ isError: false, text: 'Answer two.' });
    expect(runner.claudeProcesses()).toEqual(claudeBefore);
    const requests = fake.requestsForPrompt('first of two turns');
    expect(requests).toHaveLength(2);
    const history = JSON.stringify(requests[1]?.body);
    expect(history).toContain('Answer one.');
    expect(history).toContain('and the second one');
  });

  it('queues a message sent while a turn runs and gives each message its own result, in order', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'back to back, one' });
    runner.send({ type: 'user_message', turnId: 't2', text: 'back to back, two' });

    const first = await runner.next('result');
    const second = await runner.next('result');

    expect([first.turnId, second.turnId]).toEqual(['t1', 't2']);
    expect(first.result.text).toBe('First reply.');
    expect(second.result.text).toBe('Second reply.');
  });

  it('answers a malformed line with a bad_message error and keeps working', async () => {
    const runner = startRunner();
    runner.sendRaw('this is not json');
    runner.sendRaw(JSON.stringify({ session: runner.session, type: 'no_such_command' }));

    const notJson = await runner.next('error');
    const unknown = await runner.next('error');
    expect(notJson).toMatchObject({ code: 'bad_message', retryable: false });
    expect(unknown).toMatchObject({ code: 'bad_message', retryable: false });

    runner.send({ type: 'user_message', turnId: 't1', text: 'after garbage' });
    const result = await runner.next('result');
    expect(result.result.text).toBe('Still here.');
  });

  it('reports an API 500 as an error result and takes the next turn', async () => {
    const runner = startRunner();
    runner.send({ type: 'user_message', turnId: 't1', text: 'api failure' });
    const failed = await runner.next('result', (event) => event.turnId === 't1', 30_000);
    expect(failed.result).toMatchObject({ isError: true, apiErrorStatus: 500 });

    fake.enqueue(textReply('Recovered.'));
    runner.send({ type: 'user_message', turnId: 't2', text: 'try again' });
    const next = await runner.next('result', (event) => event.turnId === 't2');
    expect(next.result).toMatchObject({ isError: false, text: 'Recovered.' });
  });

  it('uses the model set with set_model for the following requests', async () => {
    const runner = startRunner({ config: { model: 'claude-first-model' } });
    runner.send({ type: 'user_message', turnId: 't1', text: 'change the model' });
    await runner.next('result');

    runner.send({ type: 'set_model', model: 'claude-second-model' });
    runner.send({ type: 'user_message', turnId: 't2', text: 'and again' });
    await runner.next('result');

    const models = fake
      .requestsForPrompt('change the model')
      .map((request) => (request.body as { model: string }).model);
    expect(models).toEqual(['claude-first-model', 'claude-second-model']);
  });

  it('refuses a backend speaking another protocol version and exits with code 2', async () => {
    const runner = startRunner({ sendHello: false });
    runner.send({
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION + 1,
      config: { cwd: runner.cwd, permissionMode: 'default', settingSources: [] },
    });

    const error = await runner.next('error');
    expect(error.code).toBe('protocol_mismatch');
    await runner.next('exit');
    expect(await runner.waitForExit()).toEqual({ code: 2, signal: null });
  });

  it('continues in a new conversation when the SDK cannot resume the given session', async () => {
    const unknownId = randomUUID();
    const runner = startRunner({ config: { resumeSdkSessionId: unknownId } });
    runner.send({ type: 'user_message', turnId: 't1', text: 'unknown session' });

    const error = await runner.next('error');
    const ready = await runner.next('ready');
    const result = await runner.next('result');
    expect(error).toMatchObject({ code: 'resume_failed', turnId: 't1' });
    expect(error.message).toContain(unknownId);
    expect(ready.sdkSessionId).not.toBe(unknownId);
    expect(result.result).toMatchObject({ isError: false, text: 'Fresh start.' });
    expect(runner.events.filter((event) => event.type === 'result')).toHaveLength(1);
  });

  it('refuses a cwd that does not exist with bad_config and exit code 2', async () => {
    const runner = startRunner({ config: { cwd: '/nonexistent/chatml-worktree' } });

    expect(await runner.next('error')).toMatchObject({ code: 'bad_config', retryable: false });
    expect((await runner.next('exit')).reason).toBe('bad_config');
    expect(await runner.waitForExit()).toEqual({ code: 2, signal: null });
  });

  it('resumes the SDK conversation in a new runner from the sdkSessionId of the first', async () => {
    const first = startRunner();
    first.send({ type: 'user_message', turnId: 't1', text: 'resume me' });
    const { sdkSessionId } = await first.next('ready');
    await first.next('result');
    first.child.stdin?.end();
    expect((await first.waitForExit()).code).toBe(0);

    const second = startRunner({
      homeFrom: first,
      cwd: first.cwd,
      config: { resumeSdkSessionId: sdkSessionId },
    });
    second.send({ type: 'user_message', turnId: 't2', text: 'what was the number?' });
    const result = await second.next('result');

    expect(result.result).toMatchObject({ isError: false, text: 'The number was 42.' });
    const requests = fake.requestsForPrompt('resume me');
    const resumed = JSON.stringify(requests.at(-1)?.body);
    expect(resumed).toContain('Remember the number 42.');
    expect(resumed).toContain('what was the number?');
    expect((await second.next('ready')).sdkSessionId).toBe(sdkSessionId);
  });
});
