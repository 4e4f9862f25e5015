import type { Session } from '@chatml/protocol';
import { textReply, waitUntil } from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';

describe('session lifecycle', () => {
  let harness: Harness;
  let workspaceId: string;
  let releaseSlow: () => void = () => {};
  const slowGate = new Promise<void>((resolve) => {
    releaseSlow = resolve;
  });

  beforeAll(async () => {
    harness = await Harness.start({
      server: { idleRunnerTimeoutMs: 400, maxConcurrentTurns: 1 },
      handler: async (context) => {
        if (context.toolNames.length === 0) return textReply('title');
        if (context.firstUserText.startsWith('slow')) await slowGate;
        return textReply(`echo: ${context.lastUserText}`, { chunkSize: 5 });
      },
    });
    workspaceId = await harness.addWorkspace();
  });
  afterAll(() => harness?.close());

  it('stops an idle runner and resumes the conversation transparently on the next message', async () => {
    const session = await harness.createSession(workspaceId, { name: 'idler', prompt: 'first question' });
    await harness.waitForTurnEnd(session.id);
    const stopped = await harness.waitForEvent(session.id, (event) => event.type === 'runner_stopped');
    expect(stopped.payload).toMatchObject({ reason: 'stopped' });
    expect((await harness.request<Session>('GET', `/sessions/${session.id}`)).body.status).toBe('idle');

    await harness.request('POST', `/sessions/${session.id}/messages`, { text: 'second question' });
    const ended = await harness.waitForTurnEnd(session.id, 2);
    expect(ended.payload).toMatchObject({ outcome: 'completed', text: 'echo: second question' });
    const starts = (await harness.events(session.id)).filter((event) => event.type === 'runner_started');
    expect(starts.map((event) => (event.payload as { resumed: boolean }).resumed)).toEqual([false, true]);
    const lastRequest = JSON.stringify(harness.fake.requests.at(-1)?.body);
    expect(lastRequest).toContain('first question');
  });

  it('queues messages sent while a turn runs and runs them in order; caps concurrent turns with a visible queue', async () => {
    const slow = await harness.createSession(workspaceId, { name: 'slow', prompt: 'slow task' });
    await harness.waitForEvent(slow.id, (event) => event.type === 'turn_started');
    // While `slow` holds the only slot, another session waits in a visible queue.
    const waiting = await harness.createSession(workspaceId, { name: 'waiting', prompt: 'quick task' });
    await waitUntil(
      async () =>
        (await harness.request<Session>('GET', `/sessions/${waiting.id}`)).body.statusReason?.startsWith(
          'Queued',
        ) ?? false,
    );
    expect((await harness.events(waiting.id)).some((event) => event.type === 'turn_started')).toBe(false);

    const followUp = await harness.request<{ queued: boolean }>('POST', `/sessions/${slow.id}/messages`, {
      text: 'and then this',
    });
    expect(followUp.body.queued).toBe(true);
    expect((await harness.request<Session>('GET', `/sessions/${slow.id}`)).body.queuedMessages).toBe(1);

    releaseSlow();
    await harness.waitForTurnEnd(slow.id, 2);
    await harness.waitForTurnEnd(waiting.id, 1);
    const texts = (await harness.events(slow.id))
      .filter((event) => event.type === 'turn_ended')
      .map((event) => (event.payload as { text?: string }).text);
    expect(texts).toEqual(['echo: slow task', 'echo: and then this']);
    const order = [
      ...(await harness.events(slow.id)).map((event) => ({ ...event, session: 'slow' })),
      ...(await harness.events(waiting.id)).map((event) => ({ ...event, session: 'waiting' })),
    ]
      .filter((event) => event.type === 'turn_started' || event.type === 'turn_ended')
      .sort((a, b) => a.ts - b.ts || (a.type === 'turn_ended' ? -1 : 1));
    // Never two turns at once with maxConcurrentTurns: 1.
    let running = 0;
    for (const event of order) {
      running += event.type === 'turn_started' ? 1 : -1;
      expect(running).toBeLessThanOrEqual(1);
    }
  });
});
