import type { ServerFrame, Session, StoredEvent } from '@chatml/protocol';
import { scriptByPrompt, textReply, waitUntil } from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';

const LONG_TEXT = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');

type EventFrame = Extract<ServerFrame, { type: 'event' }>;
const isEvent = (frame: ServerFrame): frame is EventFrame => frame.type === 'event';

describe('lossless replay', () => {
  let harness: Harness;
  let workspaceId: string;

  beforeAll(async () => {
    harness = await Harness.start({
      handler: scriptByPrompt({
        'stream slowly': [
          textReply(LONG_TEXT, { chunkSize: 4, chunkDelayMs: 15 }),
          textReply('second answer'),
        ],
        'cut short': [{ hang: true }, textReply('picked up again')],
      }),
    });
    workspaceId = await harness.addWorkspace();
  });
  afterAll(() => harness?.close());

  it('gives a client that reconnects mid-stream exactly the events it missed', async () => {
    const first = await harness.ws();
    const session = await harness.createSession(workspaceId, { name: 'replay', prompt: 'stream slowly' });
    first.subscribe(session.id, 0);
    await first.waitFor((frame) => isEvent(frame) && frame.event.type === 'stream_delta');
    first.close();
    const seen = first.events(session.id);
    const lastSeq = seen.at(-1)!.seq;

    const second = await harness.ws();
    second.subscribe(session.id, lastSeq);
    await second.waitFor((frame) => isEvent(frame) && frame.event.type === 'turn_ended');
    const rest = second.events(session.id);
    expect(rest[0]?.seq).toBe(lastSeq + 1);

    const combined = [...seen, ...rest].map((frame) => frame.event);
    const stored = await harness.events(session.id);
    expect(combined).toEqual(stored.slice(0, combined.length));
    expect(combined.map((event) => event.seq)).toEqual(combined.map((_, index) => index + 1));
    const text = combined
      .filter((event) => event.type === 'stream_delta')
      .map((event) => (event.payload as { text: string }).text)
      .join('');
    expect(text).toBe(LONG_TEXT);
  });

  it('replays the full transcript identically after a backend restart', async () => {
    const [session] = (
      await harness.request<{ sessions: Session[] }>('GET', `/workspaces/${workspaceId}/sessions`)
    ).body.sessions;
    const before = await harness.events(session!.id);
    await harness.restart();
    const client = await harness.ws();
    client.subscribe(session!.id, 0);
    await client.waitFor((frame) => frame.type === 'subscribed');
    const after: StoredEvent[] = client.events(session!.id).map((frame) => frame.event);
    expect(after.slice(0, before.length)).toEqual(before);
    // Shutting down only stopped the idle runner; no turn or message was touched.
    expect(after.slice(before.length).map((event) => event.type)).toEqual(['runner_stopped']);
  });

  it('closes a turn cut short by a shutdown, then resumes the conversation on the next message', async () => {
    const session = await harness.createSession(workspaceId, { name: 'cut', prompt: 'cut short' });
    await harness.waitForEvent(session.id, (event) => event.type === 'agent_ready');
    await waitUntil(() =>
      harness.fake.requests.some((request) => JSON.stringify(request.body).includes('cut short')),
    );
    await harness.restart();

    const recovered = (await harness.request<Session>('GET', `/sessions/${session.id}`)).body;
    expect(recovered.status).toBe('idle');
    const ended = await harness.waitForTurnEnd(session.id);
    expect(ended.payload).toMatchObject({ outcome: 'interrupted', reason: 'ChatML is shutting down.' });

    const sent = await harness.request('POST', `/sessions/${session.id}/messages`, {
      text: 'please continue',
    });
    expect(sent.status).toBe(202);
    const second = await harness.waitForTurnEnd(session.id, 2);
    expect(second.payload).toMatchObject({ outcome: 'completed' });
    // The new runner resumed the stored SDK conversation: the model saw the first prompt again.
    const last = harness.fake.requests.at(-1)!;
    expect(JSON.stringify(last.body)).toContain('cut short');
    expect(JSON.stringify(last.body)).toContain('please continue');
    const runnerStarts = (await harness.events(session.id)).filter(
      (event) => event.type === 'runner_started',
    );
    expect(runnerStarts.at(-1)?.payload).toMatchObject({ resumed: true });
  });
});
