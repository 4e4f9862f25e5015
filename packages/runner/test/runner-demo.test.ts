import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_MODEL_LABEL, demoHandler, FakeAnthropicServer } from '@chatml/testkit/fake-anthropic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerHarness } from './runner-harness.js';

let fake: FakeAnthropicServer;
let runner: RunnerHarness | undefined;

beforeAll(async () => {
  fake = await FakeAnthropicServer.start({ handler: demoHandler({ chunkSize: 40, chunkDelayMs: 1 }) });
});

afterAll(async () => {
  await runner?.dispose();
  await fake.close();
});

describe('the offline demo model through the real SDK', () => {
  it('streams its reply, asks to write its note, writes it, and sums up', async () => {
    runner = RunnerHarness.start({ fake });
    runner.send({ type: 'user_message', turnId: 't1', text: 'Try out ChatML' });

    const request = await runner.next('permission_request');
    const notePath = path.join(runner.cwd, 'chatml-demo', 'try-out-chatml.md');
    expect(request.input).toMatchObject({ file_path: notePath });
    runner.send({ type: 'permission_response', requestId: request.requestId, allow: true });
    const result = await runner.next('result');

    expect(result.result.isError).toBe(false);
    expect(result.result.text).toContain('Done: I created `chatml-demo/try-out-chatml.md`');
    expect(readFileSync(notePath, 'utf8')).toContain(DEMO_MODEL_LABEL);
    const streamed = runner.turnEvents('t1').filter((event) => event.type === 'stream_delta');
    expect(streamed.length).toBeGreaterThan(5);
    expect(runner.violations).toEqual([]);
  });
});
