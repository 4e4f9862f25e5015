import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiffResponse, Session } from '@chatml/protocol';
import { scriptByPrompt, textReply, toolUseReply } from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';

const writeStep = (file: string, content: string) => (context: { cwd: string | undefined }) =>
  toolUseReply(
    'Write',
    { file_path: join(context.cwd ?? '/nonexistent', file), content },
    { text: `Writing ${file}.` },
  );

describe('three sessions on one repository', () => {
  let harness: Harness;
  let sessions: Session[];

  beforeAll(async () => {
    harness = await Harness.start({
      handler: scriptByPrompt({
        'task alpha': [writeStep('alpha.txt', 'from alpha\n'), textReply('alpha done', { chunkSize: 3 })],
        'task beta': [
          toolUseReply('Bash', { command: 'echo from beta > beta.txt', description: 'write beta.txt' }),
          textReply('beta done'),
        ],
        'task gamma': [writeStep('gamma.txt', 'from gamma\n'), textReply('gamma done')],
      }),
    });
    const workspaceId = await harness.addWorkspace();
    sessions = await Promise.all([
      harness.createSession(workspaceId, {
        name: 'alpha',
        prompt: 'task alpha',
        permissionMode: 'acceptEdits',
      }),
      harness.createSession(workspaceId, { name: 'beta', prompt: 'task beta' }),
      harness.createSession(workspaceId, { name: 'gamma', prompt: 'task gamma' }),
    ]);
  });
  afterAll(() => harness?.close());

  it('creates each session on its own branch and worktree', () => {
    expect(sessions.map((session) => session.branch)).toEqual([
      'chatml/alpha',
      'chatml/beta',
      'chatml/gamma',
    ]);
    expect(new Set(sessions.map((session) => session.worktreePath)).size).toBe(3);
    for (const session of sessions) expect(existsSync(join(session.worktreePath, 'README.md'))).toBe(true);
  });

  it('runs them concurrently, asking permission where the mode says so', async () => {
    const [alpha, beta, gamma] = sessions as [Session, Session, Session];
    // beta (Bash) and gamma (Write in default mode) must ask; approve both through the API.
    for (const session of [beta, gamma]) {
      const request = await harness.waitForEvent(
        session.id,
        (event) => event.type === 'permission_requested',
      );
      const { requestId, tool } = request.payload as { requestId: string; tool: string };
      expect(tool).toBe(session === beta ? 'Bash' : 'Write');
      expect((await harness.request('GET', `/sessions/${session.id}`)).body).toMatchObject({
        status: 'waiting_permission',
      });
      const answer = await harness.request('POST', `/sessions/${session.id}/permissions/${requestId}`, {
        allow: true,
      });
      expect(answer.status).toBe(200);
    }
    for (const session of [alpha, beta, gamma]) {
      const ended = await harness.waitForTurnEnd(session.id);
      expect(ended.payload).toMatchObject({ outcome: 'completed' });
    }
    // alpha never asked: acceptEdits allows Write inside the worktree.
    expect((await harness.events(alpha.id)).some((event) => event.type === 'permission_requested')).toBe(
      false,
    );
  });

  it('leaves each change in its own worktree only, and the main checkout untouched', async () => {
    const files = { alpha: 'alpha.txt', beta: 'beta.txt', gamma: 'gamma.txt' };
    for (const session of sessions) {
      for (const [name, file] of Object.entries(files)) {
        expect(existsSync(join(session.worktreePath, file))).toBe(name === session.name);
      }
    }
    expect(readFileSync(join(sessions[1]!.worktreePath, 'beta.txt'), 'utf8')).toBe('from beta\n');
    expect(await harness.repo.git(['status', '--porcelain'])).toBe('');
    expect((await harness.repo.git(['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('main');
  });

  it('shows each session its own change in /diff, untracked files included', async () => {
    for (const session of sessions) {
      const { status, body } = await harness.request<DiffResponse>('GET', `/sessions/${session.id}/diff`);
      expect(status).toBe(200);
      expect(body.files.map((file) => [file.path, file.status, file.additions])).toEqual([
        [`${session.name}.txt`, 'added', 1],
      ]);
      expect(body.files[0]?.patch).toContain(`+from ${session.name}`);
    }
  });

  it('streams the turn in order with one turn_ended per turn and ends idle', async () => {
    const events = await harness.events(sessions[0]!.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    const types = events.map((event) => event.type);
    expect(types.filter((type) => type === 'turn_started')).toHaveLength(1);
    expect(types.filter((type) => type === 'turn_ended')).toHaveLength(1);
    expect(types.indexOf('user_message')).toBeLessThan(types.indexOf('turn_started'));
    expect(types).toContain('stream_delta');
    expect(types).toContain('tool_use');
    expect(types).toContain('tool_result');
    const streamed = events
      .filter((event) => event.type === 'stream_delta')
      .map((event) => event.payload as { kind: string; text: string })
      .filter((delta) => delta.kind === 'text')
      .map((delta) => delta.text)
      .join('');
    expect(streamed).toContain('alpha done');
    expect((await harness.request<Session>('GET', `/sessions/${sessions[0]!.id}`)).body.status).toBe('idle');
  });
});
