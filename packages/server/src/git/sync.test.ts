import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempRepo, makeTempDir, type TempDir, type TempRepo } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../errors.js';
import { abortSync, continueSync, syncWithBase } from './sync.js';
import { detectSyncInProgress } from './sync-state.js';
import { WorktreeManager } from './worktree-manager.js';

let repo: TempRepo;
let data: TempDir;
let worktreePath: string;
const branch = 'chatml/session';

beforeEach(async () => {
  repo = await createTempRepo({ files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } });
  data = await makeTempDir('sync');
  worktreePath = join(data.path, 'worktrees', 'session');
  await new WorktreeManager().create({ repoPath: repo.path, worktreePath, branch, baseBranch: 'main' });
  await writeFile(join(worktreePath, 'session.txt'), 'session work\n');
  await sessionGit(['add', 'session.txt']);
  await sessionGit(['commit', '-qm', 'session: add session.txt']);
});
afterEach(async () => {
  await data.cleanup();
  await repo.cleanup();
});

const sessionGit = (args: string[]) => repo.git(['-C', worktreePath, ...args]);
const head = async () => (await sessionGit(['rev-parse', 'HEAD'])).trim();
const sync = (strategy: 'rebase' | 'merge') =>
  syncWithBase({ worktreePath, baseBranch: 'main', branch, strategy });

async function mainChanges(files: Record<string, string>) {
  await repo.writeFiles(files);
  return repo.commitAll('main moves on');
}

async function makeConflict() {
  await writeFile(join(worktreePath, 'a.txt'), 'a from the session\n');
  await sessionGit(['commit', '-qam', 'session: change a']);
  await mainChanges({ 'a.txt': 'a from main\n' });
}

describe.each(['rebase', 'merge'] as const)('sync by %s', (strategy) => {
  it('brings in the base’s new commits when nothing conflicts', async () => {
    const mainTip = await mainChanges({ 'b.txt': 'b from main\n' });
    const result = await sync(strategy);
    expect(result).toMatchObject({ ok: true, conflicts: [], strategy, upToDate: false });
    expect(result.head).toBe(await head());
    expect(await readFile(join(worktreePath, 'b.txt'), 'utf8')).toBe('b from main\n');
    expect(await readFile(join(worktreePath, 'session.txt'), 'utf8')).toBe('session work\n');
    await expect(sessionGit(['merge-base', '--is-ancestor', mainTip, 'HEAD'])).resolves.toBe('');
    // A rebase keeps history linear; a merge adds a merge commit.
    const parents = (await sessionGit(['log', '-1', '--format=%P'])).trim().split(' ');
    expect(parents).toHaveLength(strategy === 'rebase' ? 1 : 2);
    expect(await detectSyncInProgress(worktreePath)).toBeNull();
  });

  it('stops on conflict, reports the paths and the in-progress state, and abort restores the branch', async () => {
    await makeConflict();
    const before = await head();
    const result = await sync(strategy);
    expect(result).toMatchObject({ ok: false, conflicts: ['a.txt'], strategy });
    expect(await detectSyncInProgress(worktreePath)).toEqual({ strategy, conflicts: ['a.txt'] });
    await expect(sync(strategy)).rejects.toThrow(/already in progress/);

    await abortSync(worktreePath);
    expect(await detectSyncInProgress(worktreePath)).toBeNull();
    expect(await head()).toBe(before);
    expect(await readFile(join(worktreePath, 'a.txt'), 'utf8')).toBe('a from the session\n');
    expect(await sessionGit(['status', '--porcelain'])).toBe('');
  });

  it('continues once the conflict is resolved, and refuses while markers remain', async () => {
    await makeConflict();
    await sync(strategy);
    const error = await continueSync(worktreePath).catch((caught) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.conflicts).toEqual(['a.txt']);

    await writeFile(join(worktreePath, 'a.txt'), 'a resolved\n');
    const result = await continueSync(worktreePath);
    expect(result).toMatchObject({ ok: true, conflicts: [] });
    expect(await detectSyncInProgress(worktreePath)).toBeNull();
    expect(await sessionGit(['show', 'HEAD:a.txt'])).toBe('a resolved\n');
    expect(await sessionGit(['status', '--porcelain'])).toBe('');
  });
});

describe('sync refusals and edge cases', () => {
  it('does not hang on a FIFO left at a conflicted path', async () => {
    await makeConflict();
    await sync('rebase');
    await rm(join(worktreePath, 'a.txt'));
    execFileSync('mkfifo', [join(worktreePath, 'a.txt')]);
    const outcome = await continueSync(worktreePath).then(
      () => 'continued',
      () => 'refused',
    );
    expect(['continued', 'refused']).toContain(outcome);
    await rm(join(worktreePath, 'a.txt'));
    await abortSync(worktreePath).catch(() => undefined);
  });

  it('does nothing when the base has nothing new', async () => {
    const before = await head();
    expect(await sync('rebase')).toMatchObject({ ok: true, upToDate: true, head: before });
  });

  it('refuses with uncommitted tracked changes and changes nothing', async () => {
    await mainChanges({ 'b.txt': 'b from main\n' });
    await writeFile(join(worktreePath, 'a.txt'), 'uncommitted\n');
    const before = await head();
    const error = await sync('rebase').catch((caught) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.conflicts).toEqual(['a.txt']);
    expect(await head()).toBe(before);
    expect(await readFile(join(worktreePath, 'a.txt'), 'utf8')).toBe('uncommitted\n');
  });

  it('skips a commit whose change the resolution made empty', async () => {
    await makeConflict();
    await sync('rebase');
    // Resolve by taking main's version: the session commit becomes empty.
    await writeFile(join(worktreePath, 'a.txt'), 'a from main\n');
    const result = await continueSync(worktreePath);
    expect(result.ok).toBe(true);
    expect(await sessionGit(['log', '--format=%s', '-2'])).toBe('session: add session.txt\nmain moves on\n');
  });

  it('sees a rebase the agent started itself', async () => {
    await makeConflict();
    await sessionGit(['rebase', 'main']).catch(() => undefined);
    expect(await detectSyncInProgress(worktreePath)).toEqual({ strategy: 'rebase', conflicts: ['a.txt'] });
    await expect(continueSync(worktreePath)).rejects.toThrow(/conflict markers/);
    await abortSync(worktreePath);
    expect(existsSync(join(worktreePath, '.git'))).toBe(true);
    expect(await detectSyncInProgress(worktreePath)).toBeNull();
  });
});
