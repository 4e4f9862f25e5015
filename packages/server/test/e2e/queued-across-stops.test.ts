import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredEvent } from '@chatml/protocol';
import { waitUntil } from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';
import { HeldReplies } from '../held-replies.js';

/** Replies to prompts starting with "hold" wait until the test releases them (or never). */
const holds = new HeldReplies();

const started = (events: StoredEvent[], messageId: string) =>
  events.filter(
    (event) =>
      event.type === 'turn_started' && (event.payload as { messageId: string }).messageId === messageId,
  );

/**
 * A message accepted but not yet run is promised to run: through a shutdown and through a restore;
 * only an archive drops it, and says so.
 */
describe('queued messages across a shutdown, a restore and a merge that archives', () => {
  let harness: Harness;
  let workspaceId: string;

  beforeAll(async () => {
    harness = await Harness.start({
      // One agent slot: a second session's message waits for it.
      server: { maxConcurrentTurns: 1 },
      handler: holds.handler,
    });
    workspaceId = await harness.addWorkspace();
  });
  afterAll(() => harness?.close());

  const send = async (sessionId: string, text: string) =>
    (
      await harness.request<{ messageId: string; queued: boolean }>(
        'POST',
        `/sessions/${sessionId}/messages`,
        {
          text,
        },
      )
    ).body;

  it('keeps a message that waited for an agent slot through a shutdown, and runs it once after the restart', async () => {
    const busy = await harness.createSession(workspaceId, { prompt: 'hold the slot through the stop' });
    await waitUntil(() => holds.has('hold the slot through the stop'));
    const waiting = await harness.createSession(workspaceId, {});
    const message = await send(waiting.id, 'run me after the restart');
    expect(message.queued).toBe(true);

    // Stopping ends the busy session's turn, which frees the slot: it must not go to the waiting
    // message only for the shutdown to cut that turn short (it would then never run).
    await harness.restart();
    const ended = await harness.waitForTurnEnd(waiting.id);
    expect(ended.payload).toMatchObject({ outcome: 'completed', text: 'Done: run me after the restart' });
    expect(started(await harness.events(waiting.id), message.messageId)).toHaveLength(1);
    expect((await harness.waitForTurnEnd(busy.id)).payload).toMatchObject({ outcome: 'interrupted' });
  });

  it('drops, saying so, a message sent during a merge that archives the session — never starts it', async () => {
    const session = await harness.createSession(workspaceId, { name: 'merge-and-archive' });
    writeFileSync(join(session.worktreePath, 'merged.txt'), 'merged\n');
    expect(
      (await harness.request('POST', `/sessions/${session.id}/commit`, { message: 'Merge me' })).status,
    ).toBe(201);
    // A hook that holds the merge's ref update until the test lets it go.
    const hooks = join(harness.repo.path, '.git', 'test-hooks');
    mkdirSync(hooks, { recursive: true });
    const [waiting, go] = [join(hooks, 'waiting'), join(hooks, 'go')];
    const hook = join(hooks, 'reference-transaction');
    writeFileSync(
      hook,
      `#!/bin/sh\n[ "$1" = prepared ] || exit 0\ntouch '${waiting}'\nwhile [ ! -f '${go}' ]; do sleep 0.05; done\n`,
    );
    chmodSync(hook, 0o755);
    await harness.repo.git(['config', 'core.hooksPath', hooks]);
    try {
      const merging = harness.request('POST', `/sessions/${session.id}/merge`, {
        strategy: 'squash',
        archive: true,
      });
      await waitUntil(() => existsSync(waiting));
      const message = await send(session.id, 'sent while merging');
      expect(message.queued).toBe(true);
      writeFileSync(go, '');
      expect((await merging).body).toMatchObject({ archived: true });
      const events = await harness.events(session.id);
      expect(started(events, message.messageId)).toHaveLength(0);
      expect(events.find((event) => event.type === 'messages_dropped')?.payload).toMatchObject({
        messageIds: [message.messageId],
      });
    } finally {
      await harness.repo.git(['config', '--unset', 'core.hooksPath']);
      rmSync(hooks, { recursive: true, force: true });
    }
  });

  it('runs the messages queued behind a turn when the session is restored after its worktree was deleted', async () => {
    const session = await harness.createSession(workspaceId, { prompt: 'hold while the worktree goes' });
    await waitUntil(() => holds.has('hold while the worktree goes'));
    const queued = await send(session.id, 'run me in the restored worktree');
    expect(queued.queued).toBe(true);
    rmSync(session.worktreePath, { recursive: true, force: true });

    const restored = await harness.request('POST', `/sessions/${session.id}/restore`);
    expect(restored.status).toBe(200);
    expect((await harness.waitForTurnEnd(session.id)).payload).toMatchObject({
      outcome: 'interrupted',
      reason: 'The session is being restored.',
    });
    expect((await harness.waitForTurnEnd(session.id, 2)).payload).toMatchObject({
      outcome: 'completed',
      text: 'Done: run me in the restored worktree',
    });
    expect(started(await harness.events(session.id), queued.messageId)).toHaveLength(1);
  });
});
