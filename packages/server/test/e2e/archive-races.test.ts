import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Session, StoredEvent } from '@chatml/protocol';
import { processGroupMembers } from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';

const fixture = fileURLToPath(new URL('../fixtures/misbehaving-runner.mjs', import.meta.url));

function balanced(events: StoredEvent[]): void {
  const started = events.filter((event) => event.type === 'turn_started').length;
  const ended = events.filter((event) => event.type === 'turn_ended').length;
  expect(ended).toBe(started);
}

const runnerPids = (events: StoredEvent[]) =>
  events
    .filter((event) => event.type === 'runner_started')
    .map((event) => (event.payload as { pid: number }).pid);

describe('archive and shutdown races', () => {
  let harness: Harness;
  let workspaceId: string;
  beforeAll(async () => {
    harness = await Harness.start({
      server: { runnerMainPath: fixture, maxConcurrentTurns: 1, worktreeCheckMs: 200 },
    });
    workspaceId = await harness.addWorkspace();
  });
  afterAll(() => harness?.close());

  it('archiving with a turn running and a message queued ends every turn and frees the slot', async () => {
    const session = await harness.createSession(workspaceId, { prompt: 'hang' });
    await harness.waitForEvent(session.id, (event) => event.type === 'stream_delta');
    const queued = await harness.request<{ queued: boolean }>('POST', `/sessions/${session.id}/messages`, {
      text: 'garbage',
    });
    expect(queued.body.queued).toBe(true);

    expect((await harness.request<Session>('POST', `/sessions/${session.id}/archive`)).body.status).toBe(
      'archived',
    );
    const events = await harness.events(session.id);
    balanced(events);
    expect(events.filter((event) => event.type === 'turn_started')).toHaveLength(1);
    for (const pid of runnerPids(events)) expect(processGroupMembers(pid).length > 0).toBe(false);
    // The queued message will not run: the log says so.
    const lastMessage = events.findLast((event) => event.type === 'user_message');
    const queuedId = (lastMessage?.payload as { messageId: string } | undefined)?.messageId;
    expect(queuedId).toBeDefined();
    expect(events.find((event) => event.type === 'messages_dropped')?.payload).toMatchObject({
      messageIds: [queuedId],
    });

    // With a limit of one turn, another session can only run if the slot was given back.
    const next = await harness.createSession(workspaceId, { prompt: 'garbage' });
    expect((await harness.waitForTurnEnd(next.id)).payload).toMatchObject({ outcome: 'completed' });

    // Neither a restore nor a restart runs what was dropped.
    const restored = await harness.request<Session>('POST', `/sessions/${session.id}/restore`);
    expect(restored.body).toMatchObject({ status: 'idle', queuedMessages: 0 });
    await harness.restart();
    expect((await harness.request<Session>('GET', `/sessions/${session.id}`)).body.queuedMessages).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await harness.events(session.id);
    expect(after.filter((event) => event.type === 'turn_started')).toHaveLength(1);
  });

  it('never lets a message sent during an archive start an agent in the worktree being removed', async () => {
    const session = await harness.createSession(workspaceId, {});
    const [archived, message] = await Promise.all([
      harness.request<Session>('POST', `/sessions/${session.id}/archive`),
      harness.request('POST', `/sessions/${session.id}/messages`, { text: 'hang' }),
    ]);
    expect(archived.body.status).toBe('archived');
    expect([202, 409]).toContain(message.status);
    const events = await harness.events(session.id);
    balanced(events);
    for (const pid of runnerPids(events)) expect(processGroupMembers(pid).length > 0).toBe(false);
    expect((await harness.request<Session>('GET', `/sessions/${session.id}`)).body.status).toBe('archived');
  });

  it('archives once when asked twice at the same time, keeping the archive ref', async () => {
    const session = await harness.createSession(workspaceId, {});
    execFileSync('sh', ['-c', 'echo unsaved > notes.txt'], { cwd: session.worktreePath });
    const [first, second] = await Promise.all([
      harness.request<Session>('POST', `/sessions/${session.id}/archive`),
      harness.request<Session>('POST', `/sessions/${session.id}/archive`),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await harness.repo.git(['show', `refs/chatml/archive/${session.id}:notes.txt`])).toBe('unsaved\n');
  });

  it('refuses a message with a clear reason when the worktree was deleted by hand', async () => {
    const session = await harness.createSession(workspaceId, {});
    const client = await harness.ws();
    rmSync(session.worktreePath, { recursive: true, force: true });
    // Every client hears of it at once, so the session shows its Restore notice.
    const told = client.waitFor(
      (frame) =>
        frame.type === 'session_updated' &&
        frame.session.id === session.id &&
        frame.session.gitState?.worktreeMissing === true,
    );
    const response = await harness.request('POST', `/sessions/${session.id}/messages`, { text: 'garbage' });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      error: { message: expect.stringMatching(/worktree .* is missing/) },
    });
    // The session list says so soon after, without anyone having to try first.
    await harness.waitForEvent(
      session.id,
      (event) => event.type === 'status_changed' && (event.payload as { status: string }).status === 'error',
    );
    expect((await harness.request<Session>('GET', `/sessions/${session.id}`)).body.statusReason).toMatch(
      /worktree .* is missing/,
    );
    await told;
    // The composer's file picker says so too (it used to be a 500 from git).
    const files = await harness.request('GET', `/sessions/${session.id}/files`);
    expect(files.status).toBe(409);
    expect(files.body).toMatchObject({ error: { message: expect.stringMatching(/worktree .* is missing/) } });
  });

  it('treats a worktree folder that lost its .git as gone: no agent works there, archive leaves it, restore moves it aside', async () => {
    const session = await harness.createSession(workspaceId, { prompt: 'hang' });
    await harness.waitForEvent(session.id, (event) => event.type === 'stream_delta');
    // Deleted by hand mid-turn, and the folder re-created without git (as an agent's Write would).
    rmSync(session.worktreePath, { recursive: true, force: true });
    mkdirSync(session.worktreePath);
    writeFileSync(join(session.worktreePath, 'written-after.md'), 'outside git\n');
    await harness.request('POST', `/sessions/${session.id}/interrupt`);
    await harness.waitForTurnEnd(session.id);
    const after = (await harness.request<Session>('GET', `/sessions/${session.id}`)).body;
    expect(after.status).toBe('error');
    expect(after.statusReason).toContain('missing its .git');
    expect(after.gitState?.worktreeMissing).toBe(true);

    const refused = await harness.request<{ error: { message: string } }>(
      'POST',
      `/sessions/${session.id}/messages`,
      {
        text: 'garbage',
      },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('missing its .git');
    expect((await harness.request('GET', `/sessions/${session.id}/files`)).status).toBe(409);

    const archived = await harness.request<Session>('POST', `/sessions/${session.id}/archive`);
    expect(archived.body.status).toBe('archived');
    expect(archived.body.statusReason).toContain('had lost its .git');
    expect(readFileSync(join(session.worktreePath, 'written-after.md'), 'utf8')).toBe('outside git\n');

    const restored = await harness.request<Session>('POST', `/sessions/${session.id}/restore`);
    expect(restored.status).toBe(200);
    expect(existsSync(join(session.worktreePath, '.git'))).toBe(true);
    const aside = restored.body.statusReason?.match(/is now (\S+)\.$/)?.[1];
    expect(aside).toBeDefined();
    expect(readFileSync(join(aside ?? '', 'written-after.md'), 'utf8')).toBe('outside git\n');
  });

  it('shutting down with turns running and messages queued leaves every turn ended and nothing running', async () => {
    const session = await harness.createSession(workspaceId, { prompt: 'hang' });
    await harness.waitForEvent(session.id, (event) => event.type === 'stream_delta');
    await harness.request('POST', `/sessions/${session.id}/messages`, { text: 'garbage' });
    await harness.restart();
    const events = await harness.events(session.id);
    expect(events.filter((event) => event.type === 'turn_ended')[0]?.payload).toMatchObject({
      outcome: 'interrupted',
      reason: 'ChatML is shutting down.',
    });
    for (const pid of runnerPids(events).slice(0, 1)) expect(processGroupMembers(pid).length > 0).toBe(false);
    // The queued message was accepted, so it runs after the restart.
    expect((await harness.waitForTurnEnd(session.id, 2)).payload).toMatchObject({ outcome: 'completed' });
    balanced(await harness.events(session.id));
  });
});
