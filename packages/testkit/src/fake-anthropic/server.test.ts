import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scriptByPrompt } from './script-by-prompt.js';
import { FakeAnthropicServer } from './server.js';
import { textReply, toolUseReply } from './types.js';

let fake: FakeAnthropicServer;

beforeEach(async () => {
  fake = await FakeAnthropicServer.start();
});

afterEach(async () => {
  await fake.close();
});

interface Sse {
  event: string;
  data: Record<string, unknown> & { type: string };
}

function parseSse(text: string): Sse[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const event = /^event: (.+)$/m.exec(frame)?.[1] ?? '';
      const data = JSON.parse(/^data: (.+)$/m.exec(frame)?.[1] ?? 'null');
      return { event, data };
    });
}

function messagesBody(prompt: string, extra: Record<string, unknown> = {}) {
  return {
    model: 'claude-test',
    stream: true,
    max_tokens: 1000,
    system: [{ type: 'text', text: 'You are a test.' }],
    tools: [{ name: 'Write', input_schema: {} }],
    messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }],
    ...extra,
  };
}

function post(body: unknown, path = '/v1/messages?beta=true') {
  return fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': 'sk-test',
      'anthropic-version': '2023-06-01',
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('FakeAnthropicServer', () => {
  it('streams a scripted reply as Messages API server-sent events', async () => {
    fake.enqueue({
      content: [
        { type: 'thinking', thinking: 'Hmm.' },
        { type: 'text', text: 'Hello, world!' },
        { type: 'tool_use', name: 'Write', input: { file_path: '/w/a.txt', content: 'A' }, id: 'toolu_1' },
      ],
      chunkSize: 4,
    });

    const response = await post(messagesBody('hi'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = parseSse(await response.text());

    expect(events.every((e) => e.event === e.data.type)).toBe(true);
    const order = events.map((e) => e.event).filter((name, i, all) => name !== all[i - 1]);
    expect(order).toEqual([
      'message_start',
      ...['content_block_start', 'content_block_delta', 'content_block_stop'],
      ...['content_block_start', 'content_block_delta', 'content_block_stop'],
      ...['content_block_start', 'content_block_delta', 'content_block_stop'],
      'message_delta',
      'message_stop',
    ]);
    const start = events[0]?.data as unknown as {
      message: { content: unknown[]; usage: { input_tokens: number } };
    };
    expect(start.message.content).toEqual([]);
    expect(start.message.usage.input_tokens).toBeGreaterThan(0);

    const deltas = (index: number, key: string) =>
      events
        .filter((e) => e.event === 'content_block_delta' && e.data.index === index)
        .map((e) => (e.data.delta as Record<string, string>)[key])
        .filter((piece) => piece !== undefined);
    expect(deltas(1, 'text')).toEqual(['Hell', 'o, w', 'orld', '!']);
    expect(deltas(0, 'thinking').join('')).toBe('Hmm.');
    expect(JSON.parse(deltas(2, 'partial_json').join(''))).toEqual({ file_path: '/w/a.txt', content: 'A' });
    expect(deltas(2, 'partial_json').length).toBeGreaterThan(3);
    const toolStart = events.find((e) => e.event === 'content_block_start' && e.data.index === 2);
    expect(toolStart?.data.content_block).toEqual({
      type: 'tool_use',
      id: 'toolu_1',
      name: 'Write',
      input: {},
    });
    const messageDelta = events.find((e) => e.event === 'message_delta')?.data as unknown as {
      delta: { stop_reason: string };
    };
    expect(messageDelta.delta.stop_reason).toBe('tool_use');
  });

  it('ends a reply without tool calls with stop_reason end_turn and mints tool ids when none are given', async () => {
    fake.enqueue(textReply('Just text.'), toolUseReply('Write', { file_path: '/w/b', content: '' }));
    const first = parseSse(await (await post(messagesBody('one'))).text());
    const second = parseSse(await (await post(messagesBody('two'))).text());

    const stopReason = (events: Sse[]) =>
      (events.find((e) => e.event === 'message_delta')?.data.delta as { stop_reason: string } | undefined)
        ?.stop_reason;
    expect(stopReason(first)).toBe('end_turn');
    expect(stopReason(second)).toBe('tool_use');
    const block = second.find((e) => e.event === 'content_block_start')?.data.content_block as { id: string };
    expect(block.id).toMatch(/^toolu_fake_\d+$/);
  });

  it('answers a request without stream: true with one JSON message', async () => {
    fake.enqueue(
      toolUseReply('Write', { file_path: '/w/c', content: 'C' }, { id: 'toolu_c', text: 'Writing.' }),
    );
    const response = await post(messagesBody('json please', { stream: false }));

    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-test',
      stop_reason: 'tool_use',
      content: [
        { type: 'text', text: 'Writing.' },
        { type: 'tool_use', id: 'toolu_c', name: 'Write', input: { file_path: '/w/c', content: 'C' } },
      ],
    });
  });

  it('uses the queue before the handler, and says so when nothing is scripted', async () => {
    fake.setHandler(scriptByPrompt({ handled: [textReply('From the handler.')] }));
    fake.enqueue(textReply('From the queue.'));
    const texts: string[] = [];
    for (const prompt of ['handled', 'handled', 'nothing matches']) {
      const events = parseSse(await (await post(messagesBody(prompt))).text());
      texts.push(
        events
          .filter((e) => e.event === 'content_block_delta')
          .map((e) => (e.data.delta as { text: string }).text)
          .join(''),
      );
    }
    expect(texts[0]).toBe('From the queue.');
    expect(texts[1]).toBe('From the handler.');
    expect(texts[2]).toContain('[fake-anthropic] no script for prompt "nothing matches"');

    fake.setHandler(undefined);
    const unscripted = parseSse(await (await post(messagesBody('anything'))).text());
    expect(JSON.stringify(unscripted)).toContain('[fake-anthropic] no reply scripted for request #3');
  });

  it('sends scripted HTTP errors with the API error shape and retry-after', async () => {
    fake.enqueue(
      { error: { status: 429, retryAfterSeconds: 7 } },
      { error: { status: 500, message: 'boom' } },
    );

    const limited = await post(messagesBody('x'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const failed = await post(messagesBody('x'));
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ type: 'error', error: { type: 'api_error', message: 'boom' } });
  });

  it('waits delayMs before answering and chunkDelayMs between deltas', async () => {
    fake.enqueue({
      content: [{ type: 'text', text: 'abcdef' }],
      chunkSize: 2,
      delayMs: 100,
      chunkDelayMs: 50,
    });
    const startedAt = Date.now();
    await (await post(messagesBody('slow'))).text();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(100 + 3 * 50 - 10);
  });

  it('keeps a hung request open without answering until the server closes', async () => {
    fake.enqueue({ hang: true });
    let isAnswered = false;
    const outcome = new Promise<string>((resolve) => {
      const req = httpRequest(`${fake.url}/v1/messages`, { method: 'POST' }, () => {
        isAnswered = true;
        resolve('answered');
      });
      req.on('error', (error) => resolve(`error: ${error.message}`));
      req.end(JSON.stringify(messagesBody('hang')));
    });
    await fake.waitForMessageRequests(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isAnswered).toBe(false);

    const closedAt = Date.now();
    await fake.close();
    expect(await outcome).toMatch(/^error: /);
    expect(Date.now() - closedAt).toBeLessThan(1000);
    fake = await FakeAnthropicServer.start(); // for afterEach
  });

  it('keeps serving after a client disconnects mid-stream', async () => {
    fake.enqueue({ content: [{ type: 'text', text: 'x'.repeat(200) }], chunkSize: 1, chunkDelayMs: 5 });
    const response = await post(messagesBody('abandon'));
    const reader = response.body?.getReader();
    await reader?.read();
    await reader?.cancel();

    fake.enqueue(textReply('Still fine.'));
    expect(await (await post(messagesBody('next'))).text()).toContain('Still fine.');
  });

  it('records every request with method, path, headers and parsed body', async () => {
    const hello = await fetch(`${fake.url}/api/hello`, { method: 'HEAD' });
    const missing = await fetch(`${fake.url}/v1/models`);
    const bad = await post('{not json');
    await post(messagesBody('recorded'));

    expect(hello.status).toBe(200);
    expect(missing.status).toBe(404);
    expect(bad.status).toBe(400);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'HEAD /api/hello',
      'GET /v1/models',
      'POST /v1/messages?beta=true',
      'POST /v1/messages?beta=true',
    ]);
    expect(fake.requests[2]?.body).toBe('{not json');
    const recorded = fake.messageRequests.at(-1);
    expect(recorded?.headers['x-api-key']).toBe('sk-test');
    expect(recorded?.body).toMatchObject({ model: 'claude-test', messages: [{ role: 'user' }] });
    expect(fake.requestsForPrompt('recorded')).toEqual([recorded]);
  });

  it('keeps no requests when told not to (the long-lived demo model), and still answers', async () => {
    const quiet = await FakeAnthropicServer.start({ recordRequests: false });
    try {
      quiet.enqueue(textReply('hi'));
      const response = await fetch(`${quiet.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(messagesBody('not kept')),
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('hi');
      expect(quiet.requests).toEqual([]);
    } finally {
      await quiet.close();
    }
  });

  it('listens on loopback only', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
