import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CommitList,
  DiffPage,
  type FileAtRef,
  type MergeResponse,
  type RestoreResponse,
  type Session,
  type StoredEvent,
  type SyncResponse,
} from '@chatml/protocol';
import { scriptByPrompt, textReply, toolUseReply, waitUntil } from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';

type ErrorResponse = { error: { code: string; message: string; conflicts?: string[] } };

describe('a session’s way out through API v1, on real git', () => {
  let harness: Harness;
  let workspaceId: string;

  beforeAll(async () => {
    harness = await Harness.start({
      handler: scriptByPrompt({
        'stopped on conflicts in': [
          (context) =>
            toolUseReply(
              'Write',
              {
                file_path: join(context.cwd ?? '/nonexistent', 'README.md'),
                content: '# resolved by the agent\n',
              },
              { text: 'Resolving README.md.' },
            ),
          textReply('Resolved.'),
        ],
        'run something': [
          toolUseReply('Bash', { command: 'echo hi > hi.txt', description: 'write hi.txt' }),
          textReply('done'),
        ],
      }),
    });
    workspaceId = await harness.addWorkspace();
  });
  afterAll(() => harness?.close());

  const session = (name: string, body: Record<string, unknown> = {}) =>
    harness.createSession(workspaceId, { name, permissionMode: 'acceptEdits', ...body });
  const get = async (id: string) => (await harness.request<Session>('GET', `/sessions/${id}`)).body;
  const write = (path: string, content: string) => writeFileSync(path, content);
  const mainFile = (path: string) => readFileSync(join(harness.repo.path, path), 'utf8');
  const gitOps = async (id: string) =>
    (await harness.events(id)).filter((event: StoredEvent) => event.type === 'git_operation');
  const commit = (id: string, message: string) =>
    harness.request<{ sha: string }>('POST', `/sessions/${id}/commit`, { message });

  it('commits everything in the worktree, records it and tells every client; refuses an empty commit', async () => {
    const s = await session('committer');
    const client = await harness.ws();
    write(join(s.worktreePath, 'README.md'), '# changed\n');
    write(join(s.worktreePath, 'new.txt'), 'new\n');
    const committed = await commit(s.id, 'Change the readme');
    expect(committed.status).toBe(201);
    expect(committed.body.sha).toBe((await harness.repo.git(['rev-parse', 'chatml/committer'])).trim());
    expect(await harness.repo.git(['show', '--format=%s', '--name-only', 'chatml/committer'])).toBe(
      'Change the readme\n\nREADME.md\nnew.txt\n',
    );
    expect((await gitOps(s.id)).at(-1)?.payload).toMatchObject({
      kind: 'commit',
      ok: true,
      sha: committed.body.sha,
    });
    await client.waitFor((frame) => frame.type === 'session_updated' && frame.session.id === s.id);

    const empty = await harness.request<ErrorResponse>('POST', `/sessions/${s.id}/commit`, {
      message: 'again',
    });
    expect(empty.status).toBe(409);
    expect(empty.body.error.message).toMatch(/Nothing to commit/);
    expect((await harness.request('POST', `/sessions/${s.id}/commit`, { message: '  ' })).status).toBe(400);

    const commits = await harness.request<CommitList>('GET', `/sessions/${s.id}/commits`);
    expect(commits.body.commits.map((c) => c.subject)).toEqual(['Change the readme']);
    const diff = await harness.request<{ files: { path: string }[] }>(
      'GET',
      `/sessions/${s.id}/commits/${committed.body.sha}/diff`,
    );
    expect(diff.body.files.map((file) => file.path)).toEqual(['README.md', 'new.txt']);
  });

  it('refuses to commit while the agent is working', async () => {
    const s = await session('busy', { prompt: 'run something', permissionMode: 'default' });
    await harness.waitForEvent(s.id, (event) => event.type === 'permission_requested');
    write(join(s.worktreePath, 'x.txt'), 'x\n');
    const refused = await harness.request<ErrorResponse>('POST', `/sessions/${s.id}/commit`, {
      message: 'x',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('session_busy');
    await harness.request('POST', `/sessions/${s.id}/interrupt`);
    await harness.waitForTurnEnd(s.id);
    expect((await commit(s.id, 'x')).status).toBe(201);
  });

  it('refuses to merge back into another session’s branch while that session’s agent works', async () => {
    const a = await session('stacked-base', { prompt: 'run something', permissionMode: 'default' });
    await harness.waitForEvent(a.id, (event) => event.type === 'permission_requested');
    const b = await session('stacked-top', { baseBranch: a.branch });
    write(join(b.worktreePath, 'from-b.txt'), 'b\n');
    expect((await commit(b.id, 'b')).status).toBe(201);

    const refused = await harness.request<ErrorResponse>('POST', `/sessions/${b.id}/merge`, {
      strategy: 'squash',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'session_busy' });
    expect(refused.body.error.message).toContain('stacked-base');
    expect(existsSync(join(a.worktreePath, 'from-b.txt'))).toBe(false);

    await harness.request('POST', `/sessions/${a.id}/interrupt`);
    await harness.waitForTurnEnd(a.id);
    const merged = await harness.request<MergeResponse>('POST', `/sessions/${b.id}/merge`, {
      strategy: 'squash',
    });
    expect(merged.status).toBe(200);
    expect(merged.body.updatedCheckout).toBe(a.worktreePath);
    expect(readFileSync(join(a.worktreePath, 'from-b.txt'), 'utf8')).toBe('b\n');
  });

  it('pages the diff, reads files at a ref (refusing traversal) and discards only with confirmation', async () => {
    const s = await session('changes');
    for (let index = 0; index < 5; index++) write(join(s.worktreePath, `f${index}.txt`), `${index}\n`);
    const page = await harness.request<DiffPage>('GET', `/sessions/${s.id}/diff?offset=0&limit=2`);
    expect(page.body).toMatchObject({ totalFiles: 5, offset: 0, nextOffset: 2 });
    expect(page.body.files.map((file) => file.path)).toEqual(['f0.txt', 'f1.txt']);
    // Without a limit the answer is streamed file by file: still exactly a DiffPage.
    const all = await harness.request<DiffPage>('GET', `/sessions/${s.id}/diff`);
    expect(DiffPage.parse(all.body)).toEqual(all.body);
    expect(all.body.files).toHaveLength(5);
    expect(all.body).toMatchObject({ totalFiles: 5, offset: 0, nextOffset: null, additions: 5 });
    expect(all.body.mergeBase).toMatch(/^[0-9a-f]{40}$/);
    const rest = await harness.request<DiffPage>('GET', `/sessions/${s.id}/diff?offset=3`);
    expect(rest.body.files).toEqual(all.body.files.slice(3));

    const file = await harness.request<FileAtRef>('GET', `/sessions/${s.id}/file?ref=main&path=src/app.ts`);
    expect(file.body.content).toBe('export const x = 1;\n');
    for (const path of ['../../etc/passwd', '/etc/passwd', '.git/config', 'src/../../x']) {
      const refused = await harness.request<ErrorResponse>(
        'GET',
        `/sessions/${s.id}/file?ref=HEAD&path=${encodeURIComponent(path)}`,
      );
      expect(refused.status).toBe(400);
    }

    expect((await harness.request('POST', `/sessions/${s.id}/discard`, { paths: ['f0.txt'] })).status).toBe(
      400,
    );
    const discarded = await harness.request<{ deleted: string[] }>('POST', `/sessions/${s.id}/discard`, {
      paths: ['f0.txt', 'f1.txt'],
      confirm: true,
    });
    expect(discarded.body.deleted.sort()).toEqual(['f0.txt', 'f1.txt']);
    expect(existsSync(join(s.worktreePath, 'f0.txt'))).toBe(false);
    expect(existsSync(join(s.worktreePath, 'f2.txt'))).toBe(true);
  });

  it('syncs by rebase, stops on a conflict it reports (also after a restart), lets the agent resolve it, continues', async () => {
    const s = await session('syncer');
    write(join(s.worktreePath, 'README.md'), '# from the session\n');
    await commit(s.id, 'session readme');
    await harness.repo.writeFiles({ 'README.md': '# from main\n' });
    await harness.repo.commitAll('main readme');

    const sync = await harness.request<SyncResponse>('POST', `/sessions/${s.id}/sync`, {
      strategy: 'rebase',
    });
    expect(sync.body).toMatchObject({ ok: false, conflicts: ['README.md'], strategy: 'rebase' });
    expect((await get(s.id)).gitState?.sync).toEqual({ strategy: 'rebase', conflicts: ['README.md'] });

    await harness.restart();
    expect((await get(s.id)).gitState?.sync).toEqual({ strategy: 'rebase', conflicts: ['README.md'] });

    const asked = await harness.request('POST', `/sessions/${s.id}/sync/resolve-with-agent`);
    expect(asked.status).toBe(202);
    const message = await harness.waitForEvent(s.id, (event) => event.type === 'user_message');
    expect((message.payload as { text: string }).text).toContain('- README.md');
    await harness.waitForTurnEnd(s.id);
    expect(readFileSync(join(s.worktreePath, 'README.md'), 'utf8')).toBe('# resolved by the agent\n');

    const continued = await harness.request<SyncResponse>('POST', `/sessions/${s.id}/sync/continue`);
    expect(continued.body).toMatchObject({ ok: true, conflicts: [] });
    expect((await get(s.id)).gitState?.sync).toBeNull();
    await expect(harness.repo.git(['merge-base', '--is-ancestor', 'main', 'chatml/syncer'])).resolves.toBe(
      '',
    );
  });

  it('merge-sync stops on a conflict and abort puts the session back', async () => {
    const s = await session('merger');
    write(join(s.worktreePath, 'src/app.ts'), 'export const x = 2;\n');
    const before = (await commit(s.id, 'x = 2')).body.sha;
    await harness.repo.writeFiles({ 'src/app.ts': 'export const x = 3;\n' });
    await harness.repo.commitAll('x = 3 on main');

    const sync = await harness.request<SyncResponse>('POST', `/sessions/${s.id}/sync`, { strategy: 'merge' });
    expect(sync.body).toMatchObject({ ok: false, conflicts: ['src/app.ts'], strategy: 'merge' });
    const aborted = await harness.request<SyncResponse>('POST', `/sessions/${s.id}/sync/abort`);
    expect(aborted.body).toMatchObject({ ok: true, head: before });
    expect((await get(s.id)).gitState?.sync).toBeNull();
    expect((await gitOps(s.id)).map((event) => (event.payload as { kind: string }).kind)).toEqual([
      'commit',
      'sync',
      'sync_abort',
    ]);
  });

  it('finds a rebase left half-done outside ChatML when it starts', async () => {
    const s = await session('outside');
    write(join(s.worktreePath, 'outside.txt'), 'from the session\n');
    await commit(s.id, 'outside change');
    await harness.repo.writeFiles({ 'outside.txt': 'from main\n' });
    await harness.repo.commitAll('outside.txt on main');
    await harness.repo.git(['-C', s.worktreePath, 'rebase', 'main']).catch(() => undefined);
    expect((await get(s.id)).gitState?.sync).toBeNull(); // ChatML did not start it and was not asked
    await harness.restart();
    expect((await get(s.id)).gitState?.sync).toEqual({ strategy: 'rebase', conflicts: ['outside.txt'] });
    expect((await harness.request<SyncResponse>('POST', `/sessions/${s.id}/sync/abort`)).body.ok).toBe(true);
    expect((await get(s.id)).gitState?.sync).toBeNull();
  });

  it('squash-merges into the checked-out main, keeping the user’s uncommitted work; refuses when it would touch it', async () => {
    const s = await session('shipper');
    write(join(s.worktreePath, 'shipped.txt'), 'shipped\n');
    await commit(s.id, 'Ship it');
    // The user's own uncommitted work in their checkout.
    write(join(harness.repo.path, 'src/app.ts'), 'user edit, not staged\n');
    write(join(harness.repo.path, 'notes.txt'), 'untracked notes\n');
    const statusBefore = await harness.repo.git(['status', '--porcelain']);

    write(join(s.worktreePath, 'forgotten.txt'), 'not committed\n');
    const mainTip = (await harness.repo.git(['rev-parse', 'main'])).trim();
    const uncommitted = await harness.request<ErrorResponse>('POST', `/sessions/${s.id}/merge`, {
      strategy: 'squash',
    });
    expect(uncommitted.status).toBe(409);
    expect(uncommitted.body.error.conflicts).toEqual(['forgotten.txt']);
    expect((await harness.repo.git(['rev-parse', 'main'])).trim()).toBe(mainTip);
    rmSync(join(s.worktreePath, 'forgotten.txt'));

    write(join(harness.repo.path, 'shipped.txt'), 'the user’s own shipped.txt\n');
    const refused = await harness.request<ErrorResponse>('POST', `/sessions/${s.id}/merge`, {
      strategy: 'squash',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.conflicts).toEqual(['shipped.txt']);
    expect(mainFile('shipped.txt')).toBe('the user’s own shipped.txt\n');
    rmSync(join(harness.repo.path, 'shipped.txt'));

    const mainBefore = (await harness.repo.git(['rev-parse', 'main'])).trim();
    const merged = await harness.request<MergeResponse>('POST', `/sessions/${s.id}/merge`, {
      strategy: 'squash',
      archive: true,
    });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({
      archived: true,
      branchDeleted: true,
      updatedCheckout: harness.repo.path,
    });
    expect((await harness.repo.git(['log', '-1', '--format=%P %s', 'main'])).trim()).toBe(
      `${mainBefore} Ship it`,
    );
    expect(mainFile('shipped.txt')).toBe('shipped\n');
    expect(mainFile('src/app.ts')).toBe('user edit, not staged\n');
    expect(mainFile('notes.txt')).toBe('untracked notes\n');
    expect(await harness.repo.git(['status', '--porcelain'])).toBe(statusBefore);
    expect((await get(s.id)).status).toBe('archived');
    expect(await harness.repo.git(['branch', '--list', 'chatml/shipper'])).toBe('');
    // Its branch retired, the archived session has no commits to list: an answer saying why, not a 409.
    const retired = await harness.request<CommitList>('GET', `/sessions/${s.id}/commits`);
    expect(retired.status).toBe(200);
    expect(retired.body).toMatchObject({ mergeBase: null, commits: [], unavailableReason: 'branch_missing' });

    // The branch is gone, but restore brings the session back from where it was merged.
    const restored = await harness.request<RestoreResponse>('POST', `/sessions/${s.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.status).toBe('idle');
    expect(readFileSync(join(s.worktreePath, 'shipped.txt'), 'utf8')).toBe('shipped\n');
    // Leave the user's checkout as the other tests expect it.
    await harness.repo.git(['checkout', '--', 'src/app.ts']);
    rmSync(join(harness.repo.path, 'notes.txt'));
  });

  it('measures a session whose branch was squash-merged by hand as merged, for the session list', async () => {
    const s = await session('landed-by-hand');
    write(join(s.worktreePath, 'by-hand.txt'), 'by hand\n');
    await commit(s.id, 'By hand');
    expect((await get(s.id)).diffStats?.mergedIntoBase).toBeUndefined();
    await harness.repo.git(['merge', '--squash', 'chatml/landed-by-hand']);
    await harness.repo.git(['commit', '-q', '-m', 'Squashed by hand']);

    await harness.request('GET', `/sessions/${s.id}/diff`); // looking at the changes measures them again
    await waitUntil(async () => (await get(s.id)).diffStats?.mergedIntoBase === true, {
      what: 'the session measured as merged',
    });
  });

  it('lists an archived session’s commits from its kept branch, with nothing uncommitted', async () => {
    const s = await session('archived-reader');
    write(join(s.worktreePath, 'kept.txt'), 'kept\n');
    const committed = await commit(s.id, 'Keep this');
    write(join(s.worktreePath, 'kept.txt'), 'saved to the archive ref, not the branch\n');
    expect((await harness.request('POST', `/sessions/${s.id}/archive`)).status).toBe(200);

    const listed = await harness.request<CommitList>('GET', `/sessions/${s.id}/commits`);
    expect(listed.status).toBe(200);
    expect(listed.body.commits.map((c) => [c.sha, c.subject])).toEqual([[committed.body.sha, 'Keep this']]);
    expect(listed.body).toMatchObject({ uncommitted: [], uncommittedCount: 0, unavailableReason: null });
  });

  it('archives and restores a session with its uncommitted work', async () => {
    const s = await session('round-trip');
    write(join(s.worktreePath, 'README.md'), '# uncommitted edit\n');
    write(join(s.worktreePath, 'untracked.txt'), 'untracked\n');
    expect((await harness.request('POST', `/sessions/${s.id}/archive`)).status).toBe(200);
    expect(existsSync(s.worktreePath)).toBe(false);
    const restored = await harness.request<RestoreResponse>('POST', `/sessions/${s.id}/restore`);
    expect(restored.body).toMatchObject({ status: 'idle', restoredWork: 'reapplied' });
    expect(readFileSync(join(s.worktreePath, 'README.md'), 'utf8')).toBe('# uncommitted edit\n');
    expect(readFileSync(join(s.worktreePath, 'untracked.txt'), 'utf8')).toBe('untracked\n');
    expect((await harness.request('POST', `/sessions/${s.id}/restore`)).status).toBe(409);
  });

  it('flags a worktree deleted by hand on start (pruned, never lost) and restores it', async () => {
    const s = await session('stale');
    write(join(s.worktreePath, 'kept.txt'), 'committed before the folder was deleted\n');
    await commit(s.id, 'keep');
    rmSync(s.worktreePath, { recursive: true, force: true });

    await harness.restart();
    const flagged = await get(s.id);
    expect(flagged.status).toBe('error');
    expect(flagged.gitState).toMatchObject({ worktreeMissing: true, branchMissing: false });
    expect(await harness.repo.git(['worktree', 'list', '--porcelain'])).not.toContain(s.worktreePath);
    expect((await harness.request('POST', `/sessions/${s.id}/commit`, { message: 'x' })).status).toBe(409);

    const restored = await harness.request<RestoreResponse>('POST', `/sessions/${s.id}/restore`);
    expect(restored.body.status).toBe('idle');
    expect(restored.body.gitState).toMatchObject({ worktreeMissing: false });
    expect(readFileSync(join(s.worktreePath, 'kept.txt'), 'utf8')).toBe(
      'committed before the folder was deleted\n',
    );
  });

  it('notices a worktree deleted by hand while running, when the git state is re-read', async () => {
    const s = await session('deleted-live');
    rmSync(s.worktreePath, { recursive: true, force: true });
    const socket = await harness.ws();
    const state = await harness.request<Session>('GET', `/sessions/${s.id}/git-state`);
    expect(state.body.gitState).toMatchObject({ worktreeMissing: true });
    // Every open tab hears it (the restore banner shows without a reload).
    await socket.waitFor(
      (frame) =>
        frame.type === 'session_updated' &&
        frame.session.id === s.id &&
        frame.session.gitState?.worktreeMissing === true,
    );
    expect((await harness.request('POST', `/sessions/${s.id}/restore`)).status).toBe(200);
  });

  it('notices a branch deleted by hand under a live worktree, and restore re-creates it at its last commit', async () => {
    const s = await session('branch-gone');
    write(join(s.worktreePath, 'README.md'), '# committed after start\n');
    const { sha } = (await commit(s.id, 'work after start')).body;
    write(join(s.worktreePath, 'notes.md'), 'uncommitted\n');
    await harness.repo.git(['update-ref', '-d', 'refs/heads/chatml/branch-gone']);

    const state = await harness.request<Session>('GET', `/sessions/${s.id}/git-state`);
    expect(state.body.gitState).toMatchObject({ worktreeMissing: false, branchMissing: true });
    const restored = await harness.request<RestoreResponse>('POST', `/sessions/${s.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.gitState).toMatchObject({ worktreeMissing: false, branchMissing: false });
    // Back at the commit made after start-up (from the worktree's own reflog), work untouched.
    expect((await harness.repo.git(['rev-parse', 'chatml/branch-gone'])).trim()).toBe(sha);
    expect(readFileSync(join(s.worktreePath, 'notes.md'), 'utf8')).toBe('uncommitted\n');
    expect((await harness.request('GET', `/sessions/${s.id}/diff`)).status).toBe(200);
    expect((await gitOps(s.id)).at(-1)?.payload).toMatchObject({
      kind: 'restore',
      message:
        'Re-created the branch chatml/branch-gone; the worktree and its uncommitted work were left as they were.',
    });
    // With worktree and branch in place there is nothing to restore.
    expect((await harness.request('POST', `/sessions/${s.id}/restore`)).status).toBe(409);
  });
});
