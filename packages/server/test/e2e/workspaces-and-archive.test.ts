import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Session, Workspace } from '@chatml/protocol';
import { createBareRemote, createTempRepo } from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';

describe('workspaces and archive', () => {
  let harness: Harness;
  let workspaceId: string;
  beforeAll(async () => {
    harness = await Harness.start();
    workspaceId = await harness.addWorkspace();
  });
  afterAll(() => harness?.close());

  it('resolves a subfolder to the repository and refuses to add it twice', async () => {
    const again = await harness.request('POST', '/workspaces', { path: join(harness.repo.path, 'src') });
    expect(again.status).toBe(409);
    const workspace = (await harness.request<Workspace>('GET', `/workspaces/${workspaceId}`)).body;
    expect(workspace).toMatchObject({ path: harness.repo.path, baseBranch: 'main', status: 'ready' });
  });

  it('generates readable unique names when none is given', async () => {
    const [a, b] = await Promise.all([
      harness.createSession(workspaceId, {}),
      harness.createSession(workspaceId, {}),
    ]);
    expect(a.name).toMatch(/^[a-z]+-[a-z]+(-\d+)?$/);
    expect(a.name).not.toBe(b.name);
    expect(a.branch).toBe(`chatml/${a.name}`);
    expect(a.status).toBe('idle');
  });

  it('takes a base given as a full ref name as the branch it names', async () => {
    const session = await harness.createSession(workspaceId, {
      name: 'full-ref',
      baseBranch: 'refs/heads/main',
    });
    expect(session.baseBranch).toBe('main');
  });

  it('refuses a duplicate session name with 409', async () => {
    await harness.createSession(workspaceId, { name: 'twice' });
    expect(
      (await harness.request('POST', `/workspaces/${workspaceId}/sessions`, { name: 'twice' })).status,
    ).toBe(409);
  });

  it('archives a session: worktree removed, uncommitted work saved to a ref, branch and transcript kept', async () => {
    const session = await harness.createSession(workspaceId, { name: 'to-archive' });
    writeFileSync(join(session.worktreePath, 'unsaved.txt'), 'precious\n');
    writeFileSync(join(session.worktreePath, 'README.md'), '# changed\n');
    // Git-ignored: a secret the user keeps only here, and a folder any install regenerates.
    writeFileSync(join(session.worktreePath, '.gitignore'), '.env\nnode_modules/\n');
    writeFileSync(join(session.worktreePath, '.env'), 'TOKEN=mine\n');
    mkdirSync(join(session.worktreePath, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(session.worktreePath, 'node_modules', 'dep', 'index.js'), '\n');
    const eventsBefore = await harness.events(session.id);

    const archived = await harness.request<Session>('POST', `/sessions/${session.id}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body.status).toBe('archived');
    // Nothing deleted behind the user's back: what was kept and what went is said.
    expect(archived.body.statusReason).toBe(
      'Git-ignored files saved with the work: .env. Deleted with the worktree (git-ignored folders and large files, not saved): node_modules/.',
    );
    expect(await harness.repo.git(['show', `refs/chatml/archive/${session.id}:.env`])).toBe('TOKEN=mine\n');
    expect(existsSync(session.worktreePath)).toBe(false);
    expect((await harness.repo.git(['branch', '--list', 'chatml/to-archive'])).trim()).toContain(
      'chatml/to-archive',
    );
    const saved = await harness.repo.git(['show', `refs/chatml/archive/${session.id}:unsaved.txt`]);
    expect(saved).toBe('precious\n');
    expect(await harness.repo.git(['show', `refs/chatml/archive/${session.id}:README.md`])).toBe(
      '# changed\n',
    );
    expect((await harness.events(session.id)).slice(0, eventsBefore.length)).toEqual(eventsBefore);
    // The user's checkout never changed.
    expect(readFileSync(join(harness.repo.path, 'README.md'), 'utf8')).toBe('# demo\n');

    const message = await harness.request('POST', `/sessions/${session.id}/messages`, { text: 'hello?' });
    expect(message.status).toBe(409);
    expect(message.body).toMatchObject({ error: { code: 'session_archived' } });
    expect((await harness.request('POST', `/sessions/${session.id}/archive`)).status).toBe(200);
  });

  it('clones a repository by URL with progress pushed over the WebSocket', async () => {
    const remote = await createBareRemote(harness.repo);
    try {
      const client = await harness.ws();
      const response = await harness.request<Workspace>('POST', '/workspaces', {
        cloneUrl: remote.url,
        name: 'cloned',
      });
      expect(response.status).toBe(202);
      expect(response.body.status).toBe('cloning');
      const ready = await client.waitFor(
        (frame) =>
          frame.type === 'workspace_updated' &&
          frame.workspace.id === response.body.id &&
          frame.workspace.status !== 'cloning',
      );
      expect(ready).toMatchObject({
        workspace: { status: 'ready', baseBranch: 'main', remoteUrl: remote.url },
      });
      expect(existsSync(join(response.body.path, 'README.md'))).toBe(true);
      const session = await harness.createSession(response.body.id, { name: 'on-clone' });
      expect(existsSync(join(session.worktreePath, 'README.md'))).toBe(true);
    } finally {
      await remote.cleanup();
    }
  });

  it('refuses at once to clone a local folder that is not a repository, saying so, and records nothing', async () => {
    const folder = join(harness.repo.path, 'src');
    const before = (await harness.request<{ workspaces: Workspace[] }>('GET', '/workspaces')).body.workspaces;
    const response = await harness.request('POST', '/workspaces', { cloneUrl: folder });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: { message: expect.stringContaining('a folder but not a git repository') },
    });
    const after = (await harness.request<{ workspaces: Workspace[] }>('GET', '/workspaces')).body.workspaces;
    expect(after).toHaveLength(before.length);
  });

  it('lets a clone that failed be tried again, replacing the failed one', async () => {
    // The "ssh" git starts fails at once (no network): the clone fails in the background.
    const previous = process.env.GIT_SSH_COMMAND;
    process.env.GIT_SSH_COMMAND = 'false';
    try {
      const client = await harness.ws();
      const clone = () =>
        harness.request<Workspace>('POST', '/workspaces', { cloneUrl: 'ssh://git@example.invalid/gone.git' });
      const first = await clone();
      expect(first.status).toBe(202);
      const failed = await client.waitFor(
        (frame) =>
          frame.type === 'workspace_updated' &&
          frame.workspace.id === first.body.id &&
          frame.workspace.status === 'error',
      );
      expect(failed).toMatchObject({ workspace: { statusDetail: expect.stringContaining('fatal:') } });
      const again = await clone();
      expect(again.status).toBe(202);
      expect(again.body.id).not.toBe(first.body.id);
      expect((await harness.request('GET', `/workspaces/${first.body.id}`)).status).toBe(404);
      await client.waitFor(
        (frame) =>
          frame.type === 'workspace_updated' &&
          frame.workspace.id === again.body.id &&
          frame.workspace.status === 'error',
      );
      expect((await harness.request('DELETE', `/workspaces/${again.body.id}`)).status).toBe(204);
    } finally {
      if (previous === undefined) delete process.env.GIT_SSH_COMMAND;
      else process.env.GIT_SSH_COMMAND = previous;
    }
  });

  it('marks a clone that a shutdown cut short as not finished, and removes the partial clone', async () => {
    // The "ssh" git starts just waits (no network): the clone is still running at shutdown.
    const previous = process.env.GIT_SSH_COMMAND;
    process.env.GIT_SSH_COMMAND = 'sleep 30; :';
    let response: { status: number; body: Workspace };
    try {
      response = await harness.request<Workspace>('POST', '/workspaces', {
        cloneUrl: 'ssh://git@example.invalid/slow.git',
        name: 'cut-short',
      });
      expect(response.body.status).toBe('cloning');
      await new Promise((resolve) => setTimeout(resolve, 300)); // git is started meanwhile
      await harness.restart();
    } finally {
      if (previous === undefined) delete process.env.GIT_SSH_COMMAND;
      else process.env.GIT_SSH_COMMAND = previous;
    }
    const after = (await harness.request<Workspace>('GET', `/workspaces/${response.body.id}`)).body;
    expect(after.status).toBe('error');
    expect(after.statusDetail).toContain('The clone did not finish');
    expect(existsSync(response.body.path)).toBe(false);
    expect((await harness.request('DELETE', `/workspaces/${response.body.id}`)).status).toBe(204);
  });

  it('deletes a workspace by archiving its sessions first, leaving the repository intact', async () => {
    const { body: list } = await harness.request<{ workspaces: Workspace[] }>('GET', '/workspaces');
    const cloned = list.workspaces.find((workspace) => workspace.name === 'cloned')!;
    const sessions = (
      await harness.request<{ sessions: Session[] }>('GET', `/workspaces/${cloned.id}/sessions`)
    ).body.sessions;
    expect((await harness.request('DELETE', `/workspaces/${cloned.id}`)).status).toBe(204);
    expect((await harness.request('GET', `/workspaces/${cloned.id}`)).status).toBe(404);
    expect(existsSync(join(cloned.path, '.git'))).toBe(true);
    for (const session of sessions) expect(existsSync(session.worktreePath)).toBe(false);
  });

  it('keeps a workspace whose session cannot be archived, and says which of its sessions were archived already', async () => {
    const repo = await createTempRepo({ files: { 'README.md': '# locked\n' } });
    try {
      const added = await harness.request<Workspace>('POST', '/workspaces', { path: repo.path });
      const first = await harness.createSession(added.body.id, { name: 'goes-first' });
      const locked = await harness.createSession(added.body.id, { name: 'locked-one' });
      // The user locked that worktree (`git worktree lock`): git refuses to remove it.
      await repo.git(['worktree', 'lock', '--reason', 'on a USB stick', locked.worktreePath]);

      const refused = await harness.request<{ error: { message: string } }>(
        'DELETE',
        `/workspaces/${added.body.id}`,
      );
      expect(refused.status).toBe(500);
      expect(refused.body.error.message).toContain(
        'The workspace was kept: session locked-one could not be archived',
      );
      expect(refused.body.error.message).toContain('Session goes-first was archived before that and stay');
      expect((await harness.request('GET', `/workspaces/${added.body.id}`)).status).toBe(200);
      const sessions = (
        await harness.request<{ sessions: Session[] }>('GET', `/workspaces/${added.body.id}/sessions`)
      ).body.sessions;
      expect(Object.fromEntries(sessions.map((session) => [session.name, session.status]))).toEqual({
        'goes-first': 'archived',
        'locked-one': 'idle',
      });
      expect(existsSync(locked.worktreePath)).toBe(true);
      expect(existsSync(first.worktreePath)).toBe(false);
      // The workspace stays usable.
      await harness.createSession(added.body.id, { name: 'after-refusal' });

      await repo.git(['worktree', 'unlock', locked.worktreePath]);
      expect((await harness.request('DELETE', `/workspaces/${added.body.id}`)).status).toBe(204);
    } finally {
      await repo.cleanup();
    }
  });

  it('leaves no session behind when one is created while its workspace is being removed', async () => {
    const repo = await createTempRepo({ files: { 'README.md': '# racing\n' } });
    try {
      const added = await harness.request<Workspace>('POST', '/workspaces', { path: repo.path });
      for (const name of ['r1', 'r2', 'r3']) await harness.createSession(added.body.id, { name });
      const removal = harness.request('DELETE', `/workspaces/${added.body.id}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const late = await harness.request<{ error?: { message: string } }>(
        'POST',
        `/workspaces/${added.body.id}/sessions`,
        { name: 'late' },
      );
      expect((await removal).status).toBe(204);
      // Refused (it came after the removal began), or created and then archived with the rest.
      if (late.status === 409) expect(late.body.error?.message).toContain('is being removed');
      else expect(late.status).toBe(201);
      expect((await repo.git(['worktree', 'list', '--porcelain'])).match(/^worktree /gm)).toHaveLength(1);
    } finally {
      await repo.cleanup();
    }
  });

  it('forgets a workspace whose repository folder is gone, leaving its worktrees on disk untouched', async () => {
    const repo = await createTempRepo({ files: { 'README.md': '# elsewhere\n' } });
    try {
      const added = await harness.request<Workspace>('POST', '/workspaces', { path: repo.path });
      const session = await harness.createSession(added.body.id, { name: 'orphaned' });
      writeFileSync(join(session.worktreePath, 'work.txt'), 'uncommitted\n');
      renameSync(repo.path, `${repo.path}-moved`);

      // A missing folder is named as such, not as "git could not start".
      const created = await harness.request('POST', `/workspaces/${added.body.id}/sessions`, { name: 'x' });
      expect(created.status).toBe(409);
      expect(JSON.stringify(created.body)).toContain(`The repository folder ${repo.path} is missing`);
      const listed = await harness.request<Workspace>('GET', `/workspaces/${added.body.id}`);
      expect(listed.body.folderMissing).toBe(true);

      const archived = await harness.request<Session>('POST', `/sessions/${session.id}/archive`);
      expect(archived.body.status).toBe('archived');
      expect(archived.body.statusReason).toContain(`The repository folder ${repo.path} is gone`);
      const other = await harness.createSession(workspaceId, { name: 'unrelated' }).catch(() => null);
      expect(other).not.toBeNull(); // the other workspaces are unaffected
      expect((await harness.request('DELETE', `/workspaces/${added.body.id}`)).status).toBe(204);
      expect((await harness.request('GET', `/workspaces/${added.body.id}`)).status).toBe(404);
      // Nothing git could not save was deleted.
      expect(readFileSync(join(session.worktreePath, 'work.txt'), 'utf8')).toBe('uncommitted\n');
    } finally {
      if (existsSync(`${repo.path}-moved`)) renameSync(`${repo.path}-moved`, repo.path);
      await repo.cleanup();
    }
  });
});
