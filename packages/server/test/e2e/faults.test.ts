import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Session, StoredEvent } from '@chatml/protocol';
import { processGroupMembers, scriptByPrompt, textReply, waitUntil } from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';

describe('faults with the real agent', () => {
  let harness: Harness;
  let workspaceId: string;

  beforeAll(async () => {
    harness = await Harness.start({
      handler: scriptByPrompt({
        // A failed or interrupted request leaves no assistant message, so these key on the latest prompt.
        'hang forever': [
          (context) => (context.lastUserText === 'try again' ? textReply('recovered') : { hang: true }),
        ],
        'please interrupt': [
          (context) => (context.lastUserText === 'go on' ? textReply('continuing') : { hang: true }),
        ],
        'server error': [
          (context) =>
            context.lastUserText === 'again please'
              ? textReply('better now')
              : { error: { status: 500, message: 'upstream exploded' } },
        ],
        'rate limited': [{ error: { status: 429, message: 'slow down', retryAfterSeconds: 0 } }],
      }),
    });
    workspaceId = await harness.addWorkspace();
  });
  afterAll(() => harness?.close());

  const promptReached = (text: string) => () =>
    harness.fake.requests.some((request) => JSON.stringify(request.body ?? '').includes(text));

  it('survives kill -9 of a runner mid-turn: the session shows the error, nothing logged is lost, the next message resumes', async () => {
    const session = await harness.createSession(workspaceId, { name: 'crashy', prompt: 'hang forever' });
    const started = await harness.waitForEvent(session.id, (event) => event.type === 'runner_started');
    const runnerPid = (started.payload as { pid: number }).pid;
    await waitUntil(promptReached('hang forever'));
    const before = await harness.events(session.id);

    process.kill(runnerPid, 'SIGKILL');
    const ended = await harness.waitForTurnEnd(session.id);
    expect(ended.payload).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/exited unexpectedly \(signal SIGKILL\)/),
    });
    const current = (await harness.request<Session>('GET', `/sessions/${session.id}`)).body;
    expect(current.status).toBe('error');
    expect(current.statusReason).toMatch(/exited unexpectedly/);
    expect((await harness.events(session.id)).slice(0, before.length)).toEqual(before);
    // The runner's `claude` child notices its parent is gone (stdin EOF) and exits too.
    await waitUntil(() => processGroupMembers(runnerPid).length === 0);
    expect((await harness.request('GET', '/health')).status).toBe(200);

    await harness.request('POST', `/sessions/${session.id}/messages`, { text: 'try again' });
    expect((await harness.waitForTurnEnd(session.id, 2)).payload).toMatchObject({ outcome: 'completed' });
    expect((await harness.request<Session>('GET', `/sessions/${session.id}`)).body.status).toBe('idle');
  });

  it('interrupts a running turn within a second', async () => {
    const session = await harness.createSession(workspaceId, {
      name: 'stoppable',
      prompt: 'please interrupt',
    });
    await waitUntil(promptReached('please interrupt'));
    // A Stop meant for another turn (one that just ended, say) stops nothing.
    const stale = await harness.request('POST', `/sessions/${session.id}/interrupt`, { turnId: 'turn_old' });
    expect(stale).toEqual({ status: 202, body: { interrupted: false } });
    const refused = await harness.request('POST', `/sessions/${session.id}/interrupt`, { turn: 1 });
    expect(refused.status).toBe(400);
    const { body: log } = await harness.request<{ events: StoredEvent[] }>(
      'GET',
      `/sessions/${session.id}/events?after=0`,
    );
    const running = log.events.findLast((event) => event.type === 'turn_started');
    const turnId = (running?.payload as { turnId: string } | undefined)?.turnId;
    expect(turnId).toMatch(/./);
    const startedAt = Date.now();
    const response = await harness.request('POST', `/sessions/${session.id}/interrupt`, { turnId });
    expect(response.body).toEqual({ interrupted: true });
    const ended = await harness.waitForTurnEnd(session.id);
    const elapsed = Date.now() - startedAt;
    expect(ended.payload).toMatchObject({ outcome: 'interrupted' });
    expect(elapsed).toBeLessThan(1000);
    expect((await harness.request<Session>('GET', `/sessions/${session.id}`)).body.status).toBe('idle');
    // The live agent keeps the conversation: the next turn runs in the same runner.
    await harness.request('POST', `/sessions/${session.id}/messages`, { text: 'go on' });
    expect((await harness.waitForTurnEnd(session.id, 2)).payload).toMatchObject({ outcome: 'completed' });
  });

  it.each([
    ['server error', 500, /500/],
    ['rate limited', 429, /429/],
  ])('shows a clear error when the model API answers %s (%i)', async (prompt, _status, pattern) => {
    const session = await harness.createSession(workspaceId, { prompt });
    const ended = await harness.waitForTurnEnd(session.id);
    expect(ended.payload).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(pattern),
      retryable: true,
    });
    const current = (await harness.request<Session>('GET', `/sessions/${session.id}`)).body;
    expect(current.status).toBe('error');
    expect(current.statusReason).toMatch(pattern);
    expect((await harness.request('GET', '/health')).status).toBe(200);
  });

  it('recovers from an API error on the next message', async () => {
    const [failed] = (
      await harness.request<{ sessions: Session[] }>('GET', `/workspaces/${workspaceId}/sessions`)
    ).body.sessions.filter((session) => session.statusReason?.includes('500'));
    await harness.request('POST', `/sessions/${failed!.id}/messages`, { text: 'again please' });
    expect((await harness.waitForTurnEnd(failed!.id, 2)).payload).toMatchObject({
      outcome: 'completed',
      text: 'better now',
    });
  });
});

describe('faults from a misbehaving runner', () => {
  let harness: Harness;
  let workspaceId: string;

  beforeAll(async () => {
    harness = await Harness.start({
      server: {
        runnerMainPath: fileURLToPath(new URL('../fixtures/misbehaving-runner.mjs', import.meta.url)),
        idleRunnerTimeoutMs: 300,
        runnerStartTimeoutMs: 3000,
        hub: { highWaterBytes: 64 * 1024, hardLimitBytes: 1024 * 1024 },
      },
    });
    workspaceId = await harness.addWorkspace();
  });
  afterAll(() => harness?.close());

  it('fails the turn of a runner that never greets and stops it, leaving the session in error, retryable', async () => {
    const session = await harness.createSession(workspaceId, { name: 'silent-1', prompt: 'garbage' });
    expect((await harness.waitForTurnEnd(session.id)).payload).toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining('The agent process did not start'),
      retryable: true,
    });
    const pids = (await harness.events(session.id))
      .filter((event) => event.type === 'runner_started')
      .map((event) => (event.payload as { pid: number }).pid);
    await waitUntil(() => pids.every((pid) => processGroupMembers(pid).length === 0), {
      timeoutMs: 5000,
      what: 'the silent runner stopped',
    });
    expect((await harness.request<Session>('GET', `/sessions/${session.id}`)).body.status).toBe('error');
  });

  it('still stops a runner that never greets when its first turn was stopped and a second one waits', async () => {
    const session = await harness.createSession(workspaceId, { name: 'silent-2', prompt: 'garbage' });
    await harness.waitForEvent(session.id, (event) => event.type === 'runner_started');
    expect((await harness.request('POST', `/sessions/${session.id}/interrupt`)).body).toEqual({
      interrupted: true,
    });
    expect((await harness.waitForTurnEnd(session.id)).payload).toMatchObject({ outcome: 'interrupted' });
    // The runner is still "starting": the next turn waits for its hello, and the start time limit
    // (counted from the runner's spawn, not from this turn) still ends the wait.
    await harness.request('POST', `/sessions/${session.id}/messages`, { text: 'garbage again' });
    expect((await harness.waitForTurnEnd(session.id, 2)).payload).toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining('The agent process did not start'),
    });
  });

  it('tells the user to restart ChatML when a runner speaks another protocol version, not that it crashed', async () => {
    const session = await harness.createSession(workspaceId, { name: 'old-protocol-1', prompt: 'garbage' });
    expect((await harness.waitForTurnEnd(session.id)).payload).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/speaks protocol \d+ and this backend \d+.*restart ChatML/),
    });
  });

  it('skips malformed runner lines and completes the turn', async () => {
    const session = await harness.createSession(workspaceId, { prompt: 'garbage' });
    expect((await harness.waitForTurnEnd(session.id)).payload).toMatchObject({ outcome: 'completed' });
    const text = (await harness.events(session.id))
      .filter((event) => event.type === 'stream_delta')
      .map((event) => (event.payload as { text: string }).text)
      .join('');
    expect(text).toBe('still alive');
  });

  it('marks a session whose runner dies mid-turn as error, and restarts the runner on the next message', async () => {
    const session = await harness.createSession(workspaceId, { prompt: 'die' });
    expect((await harness.waitForTurnEnd(session.id)).payload).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/exit code 3/),
    });
    await harness.request('POST', `/sessions/${session.id}/messages`, { text: 'garbage' });
    expect((await harness.waitForTurnEnd(session.id, 2)).payload).toMatchObject({ outcome: 'completed' });
  });

  it('gives a message that arrives while an idle runner is stopping a fresh runner', async () => {
    const session = await harness.createSession(workspaceId, { prompt: 'linger' });
    await harness.waitForTurnEnd(session.id);
    const firstPid = (
      (await harness.waitForEvent(session.id, (event) => event.type === 'runner_started')).payload as {
        pid: number;
      }
    ).pid;
    // The idle timer (300 ms) has asked the runner to stop; it takes 1.5 s to go.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await harness.events(session.id)).some((event) => event.type === 'runner_stopped')).toBe(false);
    await harness.request('POST', `/sessions/${session.id}/messages`, { text: 'garbage' });
    expect((await harness.waitForTurnEnd(session.id, 2)).payload).toMatchObject({ outcome: 'completed' });
    const starts = (await harness.events(session.id)).filter((event) => event.type === 'runner_started');
    expect(starts).toHaveLength(2);
    expect((starts[1]!.payload as { pid: number }).pid).not.toBe(firstPid);
    const stopped = await harness.waitForEvent(session.id, (event) => event.type === 'runner_stopped');
    expect(stopped.payload).toMatchObject({ reason: 'stopped' });
    expect((await harness.request<Session>('GET', `/sessions/${session.id}`)).body.status).toBe('idle');
  });

  it('resolves a question the agent withdrew, so nobody waits on it', async () => {
    const session = await harness.createSession(workspaceId, { prompt: 'withdraw' });
    await harness.waitForEvent(session.id, (event) => event.type === 'permission_requested');
    const resolved = await harness.waitForEvent(session.id, (event) => event.type === 'permission_resolved');
    expect(resolved.payload).toMatchObject({ requestId: 'perm_1', allow: false, by: 'system' });
    expect((await harness.request<Session>('GET', `/sessions/${session.id}`)).body.status).toBe('running');
    await harness.waitForTurnEnd(session.id);
    const late = await harness.request('POST', `/sessions/${session.id}/permissions/perm_1`, { allow: true });
    // Settled already (withdrawn): a late answer is told so, not that the request never existed.
    expect(late.status).toBe(409);
    expect(JSON.stringify(late.body)).toContain('already answered (or withdrawn)');
  });

  it('never lets a client that stops reading stall the runner or other clients', async () => {
    const count = 6000; // ~3 MB of deltas: far past the stuck client's buffers
    const session = await harness.createSession(workspaceId, {});
    // A raw WebSocket client that completes the handshake, subscribes, then never reads again.
    const stuck = connect(harness.server.port, '127.0.0.1');
    await new Promise<void>((resolve) => stuck.once('connect', () => resolve()));
    stuck.write(
      [
        'GET /ws HTTP/1.1',
        `Host: 127.0.0.1:${harness.server.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
        `Authorization: Bearer ${harness.server.token}`,
        '',
        '',
      ].join('\r\n'),
    );
    await new Promise<void>((resolve) => stuck.once('data', () => resolve()));
    const frame = Buffer.from(JSON.stringify({ type: 'subscribe', sessionId: session.id, afterSeq: 0 }));
    const mask = Buffer.from([1, 2, 3, 4]);
    stuck.write(
      Buffer.concat([
        Buffer.from([0x81, 0x80 | frame.length]),
        mask,
        frame.map((byte, i) => byte ^ mask[i % 4]!),
      ]),
    );
    stuck.pause();

    const reader = await harness.ws();
    reader.subscribe(session.id, 0);
    await reader.waitFor((f) => f.type === 'subscribed');
    await harness.request('POST', `/sessions/${session.id}/messages`, { text: `flood ${count}` });
    await harness.waitForTurnEnd(session.id, 1, 60_000);
    await reader.waitFor((f) => f.type === 'event' && f.event.type === 'turn_ended', 60_000);

    // Every delta's text arrives once, in order (the hub may have coalesced runs of them into one event).
    const streamed = reader
      .events(session.id)
      .filter((f) => f.event.type === 'stream_delta')
      .map((f) => (f.event.payload as { text: string }).text)
      .join('');
    const chunk = 'x'.repeat(500);
    expect(streamed === Array.from({ length: count }, (_, i) => `${i}:${chunk}`).join('')).toBe(true);
    const seqs = reader.events(session.id).map((f) => f.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect((await harness.request('GET', '/health')).status).toBe(200);
    stuck.destroy();
  });
});
