import type { Session, StoredEvent } from '@chatml/protocol';
import { textReply } from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';

const LIFECYCLE = new Set(['runner_started', 'runner_stopped', 'agent_ready', 'status_changed']);

describe('activitySeq (what "unread" compares)', () => {
  let harness: Harness;
  let workspaceId: string;

  beforeAll(async () => {
    harness = await Harness.start({
      handler: async (context) => {
        if (context.toolNames.length === 0) return textReply('title');
        return textReply(`echo: ${context.lastUserText}`);
      },
    });
    workspaceId = await harness.addWorkspace();
  });
  afterAll(() => harness?.close());

  const getSession = async (id: string) => (await harness.request<Session>('GET', `/sessions/${id}`)).body;
  const listed = async (id: string) =>
    (
      await harness.request<{ sessions: Session[] }>('GET', `/workspaces/${workspaceId}/sessions`)
    ).body.sessions.find((session) => session.id === id);

  it('is not moved by a backend restart, only by new conversation activity', async () => {
    const created = await harness.createSession(workspaceId, { name: 'quiet', prompt: 'hello' });
    const firstEnd = await harness.waitForTurnEnd(created.id);
    const before = await getSession(created.id);
    expect(before.activitySeq).toBe(firstEnd.seq);

    await harness.restart();

    const events: StoredEvent[] = await harness.events(created.id);
    const appended = events.filter((event) => event.seq > firstEnd.seq);
    // Shutdown and start-up logged bookkeeping only (at least the runner stopping)…
    expect(appended.length).toBeGreaterThan(0);
    expect(appended.every((event) => LIFECYCLE.has(event.type))).toBe(true);
    const after = await getSession(created.id);
    // …which moves lastSeq but not activitySeq, in the session and in the list.
    expect(after.lastSeq).toBeGreaterThan(before.lastSeq);
    expect(after.activitySeq).toBe(firstEnd.seq);
    expect((await listed(created.id))?.activitySeq).toBe(firstEnd.seq);

    await harness.request('POST', `/sessions/${created.id}/messages`, { text: 'again' });
    const secondEnd = await harness.waitForTurnEnd(created.id, 2);
    const latest = await getSession(created.id);
    expect(latest.activitySeq).toBe(secondEnd.seq);
    expect(latest.activitySeq).toBeGreaterThan(after.lastSeq);
  });
});
