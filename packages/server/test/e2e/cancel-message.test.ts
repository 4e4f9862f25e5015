import type { Session, StoredEvent } from '@chatml/protocol';
import { waitUntil } from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';
import { HeldReplies } from '../held-replies.js';

/** Replies to prompts starting with "hold" wait until the test releases them (or never). */
const holds = new HeldReplies();

const messageIdOf = (event: StoredEvent | undefined) =>
  (event?.payload as { messageId: string } | undefined)?.messageId;

describe('cancelling a queued message', () => {
  let harness: Harness;
  let workspaceId: string;

  beforeAll(async () => {
    harness = await Harness.start({
      // One agent slot: a second session's message waits for it.
      server: { maxConcurrentTurns: 1 },
      // "fail…" prompts get an API error the SDK does not retry: the session ends up in `error`.
      handler: (context) =>
        context.toolNames.length > 0 && context.lastUserText.startsWith('fail')
          ? { error: { status: 400, message: 'the fake model refuses' } }
          : holds.handler(context),
    });
    workspaceId = await harness.addWorkspace();
  });
  afterAll(() => harness?.close());

  const send = async (sessionId: string, text: string) => {
    const response = await harness.request<{ messageId: string; queued: boolean }>(
      'POST',
      `/sessions/${sessionId}/messages`,
      { text },
    );
    expect(response.status).toBe(202);
    return response.body;
  };
  const cancel = (sessionId: string, messageId: string) =>
    harness.request<{ cancelled?: boolean; error?: { code: string; message: string } }>(
      'DELETE',
      `/sessions/${sessionId}/messages/${messageId}`,
    );
  const session = async (sessionId: string) =>
    (await harness.request<Session>('GET', `/sessions/${sessionId}`)).body;
  const reachedModel = (text: string) =>
    harness.fake.messageRequests.some((request) => JSON.stringify(request.body ?? '').includes(text));
  const startedMessages = async (sessionId: string) =>
    (await harness.events(sessionId))
      .filter((event) => event.type === 'turn_started')
      .map((event) => messageIdOf(event));

  it('takes a queued message back while a turn runs: it never reaches the model, the next one still runs', async () => {
    const created = await harness.createSession(workspaceId, { prompt: 'hold the first turn' });
    await waitUntil(() => holds.has('hold the first turn'));
    const client = await harness.ws();
    const unwanted = await send(created.id, 'never run this');
    const wanted = await send(created.id, 'run this one');
    expect([unwanted.queued, wanted.queued]).toEqual([true, true]);
    expect((await session(created.id)).queuedMessages).toBe(2);

    expect(await cancel(created.id, unwanted.messageId)).toEqual({ status: 200, body: { cancelled: true } });
    // The session list hears of the shorter queue.
    await client.waitFor(
      (frame) =>
        frame.type === 'session_updated' &&
        frame.session.id === created.id &&
        frame.session.queuedMessages === 1,
    );
    expect((await session(created.id)).queuedMessages).toBe(1);
    // Asked again (a second tab, a double click): it is cancelled, whoever did it.
    expect(await cancel(created.id, unwanted.messageId)).toEqual({ status: 200, body: { cancelled: true } });

    holds.release('hold the first turn');
    expect((await harness.waitForTurnEnd(created.id, 2)).payload).toMatchObject({ outcome: 'completed' });
    const events = await harness.events(created.id);
    const dropped = events.filter((event) => event.type === 'messages_dropped');
    expect(dropped.map((event) => event.payload)).toEqual([
      { messageIds: [unwanted.messageId], reason: 'Cancelled by you.' },
    ]);
    const first = messageIdOf(events.find((event) => event.type === 'user_message'));
    expect(await startedMessages(created.id)).toEqual([first, wanted.messageId]);
    expect(reachedModel('run this one')).toBe(true);
    expect(reachedModel('never run this')).toBe(false);
    expect((await session(created.id)).queuedMessages).toBe(0);
  });

  it('refuses a message that started or ran (409) and one it does not know (404)', async () => {
    const created = await harness.createSession(workspaceId, { prompt: 'a quick one' });
    await harness.waitForTurnEnd(created.id);
    const ran = messageIdOf(await harness.waitForEvent(created.id, (event) => event.type === 'turn_started'));
    const afterRun = await cancel(created.id, ran ?? '');
    expect(afterRun.status).toBe(409);
    expect(afterRun.body.error).toMatchObject({
      code: 'message_started',
      message: expect.stringMatching(/run/),
    });

    const running = await send(created.id, 'hold the second turn');
    await waitUntil(() => holds.has('hold the second turn'));
    const whileRunning = await cancel(created.id, running.messageId);
    expect(whileRunning.status).toBe(409);
    expect(whileRunning.body.error).toMatchObject({
      code: 'message_started',
      message: expect.stringContaining('Stop'),
    });

    const unknown = await cancel(created.id, 'msg_nonexistent');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('not_found');

    holds.release('hold the second turn');
    expect((await harness.waitForTurnEnd(created.id, 2)).payload).toMatchObject({ outcome: 'completed' });
    expect(await startedMessages(created.id)).toContain(running.messageId);

    await harness.request('POST', `/sessions/${created.id}/archive`);
    const archived = await cancel(created.id, running.messageId);
    expect(archived.status).toBe(409);
    expect(archived.body.error?.code).toBe('session_archived');
  });

  it('frees the agent slot a cancelled message was waiting for', async () => {
    const busy = await harness.createSession(workspaceId, { prompt: 'hold the only slot' });
    await waitUntil(() => holds.has('hold the only slot'));
    const waiting = await harness.createSession(workspaceId, {});
    const unwanted = await send(waiting.id, 'never run this either');
    // It waits for a slot, not for a turn: still queued, so the UI shows it waiting and cancellable.
    expect(unwanted.queued).toBe(true);
    expect((await session(waiting.id)).statusReason).toMatch(/waiting for a free agent slot/);

    expect((await cancel(waiting.id, unwanted.messageId)).status).toBe(200);
    expect(await session(waiting.id)).toMatchObject({
      status: 'idle',
      statusReason: null,
      queuedMessages: 0,
    });

    holds.release('hold the only slot');
    await harness.waitForTurnEnd(busy.id);
    // Had the cancelled message kept its claim on the slot, this would wait behind it, or forever.
    await send(waiting.id, 'run after the wait');
    expect((await harness.waitForTurnEnd(waiting.id)).payload).toMatchObject({ outcome: 'completed' });
    expect(await startedMessages(waiting.id)).toHaveLength(1);
    expect(reachedModel('never run this either')).toBe(false);
  });

  it('gives a session in error its reason back when the message waiting for a slot is cancelled', async () => {
    const failed = await harness.createSession(workspaceId, { prompt: 'fail this turn' });
    expect((await harness.waitForTurnEnd(failed.id)).payload).toMatchObject({ outcome: 'failed' });
    const { statusReason: failure } = await session(failed.id);
    expect(failure).toMatch(/refuses/);

    const busy = await harness.createSession(workspaceId, { prompt: 'hold the slot from the failed one' });
    await waitUntil(() => holds.has('hold the slot from the failed one'));
    const unwanted = await send(failed.id, 'never run this after the failure');
    expect(unwanted.queued).toBe(true);
    expect(await session(failed.id)).toMatchObject({
      status: 'error',
      statusReason: expect.stringMatching(/waiting for a free agent slot/),
    });

    expect((await cancel(failed.id, unwanted.messageId)).status).toBe(200);
    // The waiting note is gone and the error says why again; the log says why the message went.
    expect(await session(failed.id)).toMatchObject({
      status: 'error',
      statusReason: failure,
      queuedMessages: 0,
    });
    const dropped = (await harness.events(failed.id)).filter((event) => event.type === 'messages_dropped');
    expect(dropped.map((event) => event.payload)).toEqual([
      { messageIds: [unwanted.messageId], reason: 'Cancelled by you.' },
    ]);

    holds.release('hold the slot from the failed one');
    await harness.waitForTurnEnd(busy.id);
  });

  it('does not bring a cancelled message back after a restart', async () => {
    const created = await harness.createSession(workspaceId, { prompt: 'hang until the restart' });
    await waitUntil(() => reachedModel('hang until the restart'));
    const unwanted = await send(created.id, 'cancelled before the restart');
    const kept = await send(created.id, 'kept across the restart');
    expect((await cancel(created.id, unwanted.messageId)).status).toBe(200);

    await harness.restart();
    // The turn the restart cut short, then the message still queued; the cancelled one never.
    expect((await harness.waitForTurnEnd(created.id, 2)).payload).toMatchObject({ outcome: 'completed' });
    const started = await startedMessages(created.id);
    expect(started).toHaveLength(2);
    expect(started[1]).toBe(kept.messageId);
    expect(reachedModel('kept across the restart')).toBe(true);
    expect(reachedModel('cancelled before the restart')).toBe(false);
    expect((await session(created.id)).queuedMessages).toBe(0);
    expect((await cancel(created.id, unwanted.messageId)).status).toBe(200);
  });
});
