import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BranchList, Health, Session, SessionFiles } from '@chatml/protocol';
import { scriptByPrompt, textReply, toolUseReply, waitUntil } from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';

type Socket = Awaited<ReturnType<Harness['ws']>>;

/** The diffStats of the first `session_updated` of `sessionId` whose counts satisfy `isWanted`. */
async function announcedStats(
  socket: Socket,
  sessionId: string,
  isWanted: (stats: Session['diffStats']) => boolean,
): Promise<Session['diffStats']> {
  const frame = await socket.waitFor(
    (candidate) =>
      candidate.type === 'session_updated' &&
      candidate.session.id === sessionId &&
      isWanted(candidate.session.diffStats),
  );
  return frame.type === 'session_updated' ? frame.session.diffStats : null;
}

/** The data the UI's pickers, session list and onboarding need: files, branches, diff stats, credentials. */
describe('data for the UI', () => {
  let harness: Harness;
  let workspaceId: string;

  beforeAll(async () => {
    harness = await Harness.start({
      handler: scriptByPrompt({
        'write three lines': [
          (context) =>
            toolUseReply(
              'Write',
              { file_path: join(context.cwd ?? '/nonexistent', 'three.txt'), content: 'a\nb\nc\n' },
              { text: 'Writing three.txt.' },
            ),
          textReply('Done.'),
        ],
      }),
    });
    workspaceId = await harness.addWorkspace();
  });
  afterAll(() => harness?.close());

  it('tells the UI what kind of model credentials the agents get, never the secret', async () => {
    const response = await harness.request<Health>('GET', '/health');
    expect(response.body.modelCredentials).toBe('api_key');
    expect(JSON.stringify(response.body)).not.toContain('sk-test-not-a-secret');
  });

  it('lists a session worktree’s tracked and untracked files, not ignored ones, within a limit', async () => {
    const session = await harness.createSession(workspaceId, { name: 'files' });
    writeFileSync(join(session.worktreePath, '.gitignore'), 'build/\n');
    writeFileSync(join(session.worktreePath, 'new-file.ts'), 'export {};\n');
    writeFileSync(join(session.worktreePath, 'café.md'), 'accents\n');
    mkdirSync(join(session.worktreePath, 'build'));
    writeFileSync(join(session.worktreePath, 'build', 'out.js'), '');

    const listed = await harness.request<SessionFiles>('GET', `/sessions/${session.id}/files`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      files: ['.gitignore', 'README.md', 'café.md', 'new-file.ts', 'src/app.ts'],
      isTruncated: false,
    });

    const capped = await harness.request<SessionFiles>('GET', `/sessions/${session.id}/files?limit=2`);
    expect(capped.body).toEqual({ files: ['.gitignore', 'README.md'], isTruncated: true });
    expect((await harness.request('GET', `/sessions/${session.id}/files?limit=0`)).status).toBe(400);
    expect((await harness.request('GET', '/sessions/ses_missing/files')).status).toBe(404);

    await harness.request('POST', `/sessions/${session.id}/archive`);
    expect((await harness.request('GET', `/sessions/${session.id}/files`)).status).toBe(409);
  });

  it('lists branches to start from: local first, remote-tracking after, remote HEAD left out', async () => {
    await harness.repo.git(['branch', 'feature/x']);
    const head = (await harness.repo.git(['rev-parse', 'HEAD'])).trim();
    await harness.repo.git(['update-ref', 'refs/remotes/origin/main', head]);
    await harness.repo.git(['symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main']);

    const listed = await harness.request<BranchList>('GET', `/workspaces/${workspaceId}/branches`);
    expect(listed.status).toBe(200);
    expect(listed.body.defaultBranch).toBe('main');
    const names = listed.body.branches.map((branch) => branch.name);
    expect(names).toEqual(expect.arrayContaining(['main', 'feature/x', 'origin/main']));
    expect(names).not.toContain('origin/HEAD');
    expect(listed.body.branches.find((branch) => branch.name === 'origin/main')?.isRemote).toBe(true);
    const firstRemote = listed.body.branches.findIndex((branch) => branch.isRemote);
    expect(listed.body.branches.slice(firstRemote).every((branch) => branch.isRemote)).toBe(true);
    expect((await harness.request('GET', '/workspaces/ws_missing/branches')).status).toBe(404);
  });

  it('counts a session’s changed lines after its turn and publishes them on the session', async () => {
    const socket = await harness.ws();
    const session = await harness.createSession(workspaceId, {
      name: 'stats',
      prompt: 'write three lines',
      permissionMode: 'acceptEdits',
    });
    expect(session.diffStats).toBeNull();
    const ended = await harness.waitForTurnEnd(session.id);
    // A real model's turn is priced (the SDK's figure); the demo model's are not (below).
    expect(ended.payload).toHaveProperty('costUsd', expect.any(Number));
    expect(await announcedStats(socket, session.id, (stats) => stats !== null)).toEqual({
      files: 1,
      additions: 3,
      deletions: 0,
    });

    // A list shows the cached value; an edit made outside a turn is picked up by the next turn…
    writeFileSync(join(session.worktreePath, 'README.md'), 'replaced\n');
    const listed = await harness.request<{ sessions: Session[] }>(
      'GET',
      `/workspaces/${workspaceId}/sessions`,
    );
    const fromList = listed.body.sessions.find((candidate) => candidate.id === session.id);
    expect(fromList?.diffStats).toEqual({ files: 1, additions: 3, deletions: 0 });

    // …or by someone reading the diff from its start (the changes pane): the counts follow.
    await harness.request('GET', `/sessions/${session.id}/diff?limit=100`);
    expect(await announcedStats(socket, session.id, (stats) => stats?.files === 2)).toEqual({
      files: 2,
      additions: 4,
      deletions: 1,
    });
  });

  it('measures a session whose agent never ran when its diff is read', async () => {
    const socket = await harness.ws();
    const session = await harness.createSession(workspaceId, { name: 'never-ran' });
    writeFileSync(join(session.worktreePath, 'notes.md'), 'a\nb\n');
    await harness.request('GET', `/sessions/${session.id}/diff?limit=100`);
    expect(await announcedStats(socket, session.id, (stats) => stats?.files === 1)).toEqual({
      files: 1,
      additions: 2,
      deletions: 0,
    });
  });

  it('measures sessions a list shows that were never measured (e.g. after a restart)', async () => {
    const session = await harness.createSession(workspaceId, { name: 'measured-on-list' });
    writeFileSync(join(session.worktreePath, 'README.md'), 'one\ntwo\n');
    await harness.restart();
    await harness.request('GET', `/workspaces/${workspaceId}/sessions`);
    await waitUntil(
      async () =>
        (await harness.request<Session>('GET', `/sessions/${session.id}`)).body.diffStats?.files === 1,
      { what: 'the session to be measured' },
    );
    const measured = (await harness.request<Session>('GET', `/sessions/${session.id}`)).body.diffStats;
    expect(measured).toEqual({ files: 1, additions: 2, deletions: 1 });
  });
});

describe('the offline demo model', () => {
  let harness: Harness;
  afterAll(() => harness?.close());

  it('records its turns with time and tokens but no price: its replies are scripted and free', async () => {
    harness = await Harness.start({
      handler: scriptByPrompt({ hello: [textReply('Hi.')] }),
      server: { isDemoModel: true },
    });
    const workspaceId = await harness.addWorkspace();
    const session = await harness.createSession(workspaceId, { name: 'demo', prompt: 'hello' });
    const ended = await harness.waitForTurnEnd(session.id);
    expect(ended.payload).toMatchObject({ outcome: 'completed', usage: expect.any(Object) });
    expect(ended.payload).not.toHaveProperty('costUsd');
  });
});
