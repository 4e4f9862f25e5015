import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempRepo, makeTempDir, type TempDir, type TempRepo } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadRequestError, ConflictError, GitError, NotFoundError } from '../errors.js';
import { runGit } from './run-git.js';
import { WorktreeManager } from './worktree-manager.js';

let repo: TempRepo;
let data: TempDir;
let manager: WorktreeManager;
let mainHead: string;

beforeEach(async () => {
  repo = await createTempRepo({
    files: {
      'README.md': '# project\n',
      'src/app.ts': 'export const app = 1;\n',
      'src/old.ts': 'export const old = 1;\n',
      '.gitignore': 'node_modules/\n*.log\n',
    },
  });
  data = await makeTempDir('data');
  manager = new WorktreeManager();
  mainHead = (await repo.git(['rev-parse', 'HEAD'])).trim();
});
afterEach(async () => {
  await data.cleanup();
  await repo.cleanup();
});

const git = async (cwd: string, args: string[]) => (await runGit(args, { cwd })).stdout;
const worktreePathFor = (name: string) => join(data.path, 'worktrees', name);

async function createSession(name: string, folder = name) {
  const worktreePath = worktreePathFor(folder);
  const branch = `chatml/${name}`;
  const { headSha } = await manager.create({ repoPath: repo.path, worktreePath, branch, baseBranch: 'main' });
  return { worktreePath, branch, headSha };
}

async function expectMainCheckoutUntouched() {
  expect(await repo.git(['status', '--porcelain', '--untracked-files=all'])).toBe('');
  expect((await repo.git(['rev-parse', 'HEAD'])).trim()).toBe(mainHead);
  expect((await repo.git(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('main');
}

describe('WorktreeManager.create', () => {
  it('creates the branch and a checked-out worktree, leaving the main checkout alone', async () => {
    const { worktreePath, branch, headSha } = await createSession('brave-otter');
    expect(headSha).toBe(mainHead);
    expect(await readFile(join(worktreePath, 'src/app.ts'), 'utf8')).toBe('export const app = 1;\n');
    expect((await git(worktreePath, ['symbolic-ref', '--short', 'HEAD'])).trim()).toBe(branch);
    expect((await repo.git(['rev-parse', `refs/heads/${branch}`])).trim()).toBe(mainHead);
    expect(await git(worktreePath, ['status', '--porcelain'])).toBe('');
    // No upstream: pushing the session branch must never target the base branch.
    await expect(repo.git(['rev-parse', '--abbrev-ref', `${branch}@{upstream}`])).rejects.toThrow();
    await expectMainCheckoutUntouched();
  });

  it('refuses an existing branch with ConflictError and creates nothing', async () => {
    await repo.git(['branch', 'chatml/taken']);
    const worktreePath = worktreePathFor('taken');
    const error = await manager
      .create({ repoPath: repo.path, worktreePath, branch: 'chatml/taken', baseBranch: 'main' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toMatch(/branch chatml\/taken already exists/);
    expect(existsSync(worktreePath)).toBe(false);
  });

  it('refuses a second session on the same branch', async () => {
    await createSession('twice');
    await expect(
      manager.create({
        repoPath: repo.path,
        worktreePath: worktreePathFor('twice-again'),
        branch: 'chatml/twice',
        baseBranch: 'main',
      }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses an existing path with ConflictError', async () => {
    const worktreePath = worktreePathFor('occupied');
    await repo.git(['init', '--quiet', worktreePath]);
    await expect(
      manager.create({ repoPath: repo.path, worktreePath, branch: 'chatml/occupied', baseBranch: 'main' }),
    ).rejects.toThrow(ConflictError);
    expect(await repo.git(['branch', '--list', 'chatml/occupied'])).toBe('');
  });

  it('cuts from a remote-tracking base branch without tracking it', async () => {
    // With a configured origin, `git worktree add -b x path origin/main` would set up tracking.
    await repo.git(['remote', 'add', 'origin', 'https://example.invalid/repo.git']);
    await repo.git(['update-ref', 'refs/remotes/origin/main', 'HEAD']);
    const worktreePath = worktreePathFor('from-origin');
    const { headSha } = await manager.create({
      repoPath: repo.path,
      worktreePath,
      branch: 'chatml/from-origin',
      baseBranch: 'origin/main',
    });
    expect(headSha).toBe(mainHead);
    expect(
      await repo.git(['config', '--get-regexp', '^branch\\.chatml/from-origin\\.']).catch(() => ''),
    ).toBe('');
  });

  it('refuses a missing base branch with BadRequestError', async () => {
    await expect(
      manager.create({
        repoPath: repo.path,
        worktreePath: worktreePathFor('x'),
        branch: 'chatml/x',
        baseBranch: 'nope',
      }),
    ).rejects.toBeInstanceOf(BadRequestError);
  });

  it('refuses a relative worktree path', async () => {
    await expect(
      manager.create({
        repoPath: repo.path,
        worktreePath: 'rel/path',
        branch: 'chatml/x',
        baseBranch: 'main',
      }),
    ).rejects.toBeInstanceOf(BadRequestError);
  });

  it('leaves nothing half-made when git fails part way', async () => {
    // A failing post-checkout hook makes `git worktree add` fail after the branch and folder exist.
    const hook = join(repo.path, '.git', 'hooks', 'post-checkout');
    await writeFile(hook, '#!/bin/sh\nexit 1\n');
    await chmod(hook, 0o755);
    const worktreePath = worktreePathFor('broken');
    await expect(
      manager.create({ repoPath: repo.path, worktreePath, branch: 'chatml/broken', baseBranch: 'main' }),
    ).rejects.toBeInstanceOf(GitError);
    expect(existsSync(worktreePath)).toBe(false);
    expect(await repo.git(['branch', '--list', 'chatml/broken'])).toBe('');
    expect(await manager.list(repo.path)).toHaveLength(1);
  });

  it('creates many sessions at once', async () => {
    const names = ['a1', 'a2', 'a3', 'a4', 'a5'];
    await Promise.all(names.map((name) => createSession(name)));
    const listed = await manager.list(repo.path);
    expect(listed.map((worktree) => worktree.branch).sort()).toEqual([
      'chatml/a1',
      'chatml/a2',
      'chatml/a3',
      'chatml/a4',
      'chatml/a5',
      'main',
    ]);
  });
});

/** Uncommitted work of every kind: modified, deleted, new untracked (in a new folder), and ignored. */
async function makeUncommittedWork(worktreePath: string) {
  await writeFile(join(worktreePath, 'src/app.ts'), 'export const app = 2;\n');
  await rm(join(worktreePath, 'src/old.ts'));
  await writeFile(join(worktreePath, 'notes with space.md'), 'untracked\n');
  await writeFile(join(worktreePath, 'debug.log'), 'ignored\n');
  await mkdir(join(worktreePath, 'src/new'), { recursive: true });
  await writeFile(join(worktreePath, 'src/new/feature.ts'), 'export const feature = true;\n');
}

const STATUS = ['status', '--porcelain', '--untracked-files=all'];

describe('WorktreeManager.remove and restore', () => {
  it('saves uncommitted and untracked work on the archive ref, keeps the branch, and restore brings it back', async () => {
    const { worktreePath, branch } = await createSession('keeper');
    await writeFile(join(worktreePath, 'committed.txt'), 'on the branch\n');
    await git(worktreePath, ['add', 'committed.txt']);
    await runGit(['commit', '--quiet', '-m', 'agent work'], {
      cwd: worktreePath,
      config: { 'user.name': 'Agent', 'user.email': 'agent@example.invalid' },
    });
    const branchHead = (await git(worktreePath, ['rev-parse', 'HEAD'])).trim();
    await makeUncommittedWork(worktreePath);
    const statusBefore = await git(worktreePath, STATUS);
    expect(statusBefore).not.toBe('');

    const removed = await manager.remove({ repoPath: repo.path, worktreePath, sessionId: 'ses_1' });

    expect(removed).toEqual({
      archivedRef: 'refs/chatml/archive/ses_1',
      headSha: branchHead,
      keptIgnored: ['debug.log'],
      droppedIgnored: [],
    });
    expect(existsSync(worktreePath)).toBe(false);
    expect((await repo.git(['rev-parse', `refs/heads/${branch}`])).trim()).toBe(branchHead);
    expect((await repo.git(['rev-parse', 'refs/chatml/archive/ses_1^'])).trim()).toBe(branchHead);
    const archivedFiles = (
      await repo.git(['ls-tree', '-r', '--name-only', 'refs/chatml/archive/ses_1'])
    ).split('\n');
    expect(archivedFiles).toContain('notes with space.md');
    expect(archivedFiles).toContain('src/new/feature.ts');
    expect(archivedFiles).not.toContain('src/old.ts');
    // A small ignored file (.env, a local config, this log) is kept too: removing the worktree
    // would delete it, and nothing else has a copy.
    expect(archivedFiles).toContain('debug.log');
    expect(await repo.git(['show', 'refs/chatml/archive/ses_1:src/app.ts'])).toBe('export const app = 2;\n');
    await expectMainCheckoutUntouched();

    const restored = await manager.restore({ repoPath: repo.path, worktreePath, branch, sessionId: 'ses_1' });

    expect(restored).toEqual({ headSha: branchHead, archive: 'reapplied' });
    expect(await git(worktreePath, STATUS)).toBe(statusBefore);
    expect(await readFile(join(worktreePath, 'src/app.ts'), 'utf8')).toBe('export const app = 2;\n');
    expect(await readFile(join(worktreePath, 'src/new/feature.ts'), 'utf8')).toBe(
      'export const feature = true;\n',
    );
    expect(existsSync(join(worktreePath, 'src/old.ts'))).toBe(false);
    expect(await readFile(join(worktreePath, 'debug.log'), 'utf8')).toBe('ignored\n'); // ignored again
    expect(await git(worktreePath, ['diff', '--cached', '--name-only'])).toBe(''); // nothing staged
    // Brought back once, kept for safety, never re-applied.
    await expect(repo.git(['rev-parse', '--verify', 'refs/chatml/archive/ses_1'])).rejects.toThrow();
    expect((await repo.git(['rev-parse', 'refs/chatml/restored/ses_1^'])).trim()).toBe(branchHead);
    await expectMainCheckoutUntouched();
  });

  it('saves staged changes too, the working-tree version winning', async () => {
    const { worktreePath, branch } = await createSession('staged');
    await writeFile(join(worktreePath, 'README.md'), '# staged edit\n');
    await git(worktreePath, ['add', 'README.md']);
    await writeFile(join(worktreePath, 'README.md'), '# staged edit, then more\n');
    const removed = await manager.remove({ repoPath: repo.path, worktreePath, sessionId: 'ses_2' });
    expect(removed.archivedRef).toBe('refs/chatml/archive/ses_2');
    expect(await repo.git(['show', 'refs/chatml/archive/ses_2:README.md'])).toBe(
      '# staged edit, then more\n',
    );
    await manager.restore({ repoPath: repo.path, worktreePath, branch, sessionId: 'ses_2' });
    expect(await readFile(join(worktreePath, 'README.md'), 'utf8')).toBe('# staged edit, then more\n');
  });

  it('writes no archive ref when nothing is uncommitted, saying which ignored folders went with the worktree', async () => {
    const { worktreePath, branch, headSha } = await createSession('clean');
    await mkdir(join(worktreePath, 'node_modules/dep'), { recursive: true });
    await writeFile(join(worktreePath, 'node_modules/dep/index.js'), 'regenerated by npm install\n');
    const removed = await manager.remove({ repoPath: repo.path, worktreePath, sessionId: 'ses_3' });
    expect(removed).toEqual({
      archivedRef: null,
      headSha,
      keptIgnored: [],
      droppedIgnored: ['node_modules/'],
    });
    expect(await repo.git(['for-each-ref', 'refs/chatml'])).toBe('');
    const restored = await manager.restore({ repoPath: repo.path, worktreePath, branch, sessionId: 'ses_3' });
    expect(restored).toEqual({ headSha, archive: 'none' });
    expect(await git(worktreePath, ['status', '--porcelain'])).toBe('');
  });

  it('merges the archived work onto a branch that moved while archived', async () => {
    const { worktreePath, branch } = await createSession('moved');
    await writeFile(join(worktreePath, 'src/app.ts'), 'export const app = 2;\n');
    await writeFile(join(worktreePath, 'untracked.txt'), 'new\n');
    await manager.remove({ repoPath: repo.path, worktreePath, sessionId: 'ses_4' });
    // Someone commits to the session branch elsewhere while the session is archived.
    await repo.git(['checkout', '--quiet', branch]);
    await repo.writeFiles({ 'README.md': '# moved on\n' });
    const movedHead = await repo.commitAll('moved on');
    await repo.git(['checkout', '--quiet', 'main']);

    const restored = await manager.restore({ repoPath: repo.path, worktreePath, branch, sessionId: 'ses_4' });

    expect(restored).toEqual({ headSha: movedHead, archive: 'reapplied' });
    expect(await readFile(join(worktreePath, 'README.md'), 'utf8')).toBe('# moved on\n');
    expect(await readFile(join(worktreePath, 'src/app.ts'), 'utf8')).toBe('export const app = 2;\n');
    expect(await git(worktreePath, STATUS)).toBe(' M src/app.ts\n?? untracked.txt\n');
  });

  it('leaves conflict markers and keeps the archive when the moved branch conflicts', async () => {
    const { worktreePath, branch } = await createSession('conflict');
    await writeFile(join(worktreePath, 'src/app.ts'), 'export const app = "archived";\n');
    await manager.remove({ repoPath: repo.path, worktreePath, sessionId: 'ses_5' });
    await repo.git(['checkout', '--quiet', branch]);
    await repo.writeFiles({ 'src/app.ts': 'export const app = "committed";\n' });
    await repo.commitAll('conflicting change');
    await repo.git(['checkout', '--quiet', 'main']);

    const restored = await manager.restore({ repoPath: repo.path, worktreePath, branch, sessionId: 'ses_5' });

    expect(restored.archive).toBe('conflicted');
    expect(await readFile(join(worktreePath, 'src/app.ts'), 'utf8')).toMatch(
      /<<<<<<<[\s\S]*archived[\s\S]*>>>>>>>/,
    );
    expect(await repo.git(['rev-parse', '--verify', 'refs/chatml/archive/ses_5'])).toMatch(/^[0-9a-f]{40}/);
  });

  it.each([
    ['with a commit', true],
    ['without a commit', false],
  ])('refuses to remove a worktree holding a nested repository %s, deleting nothing', async (_, commit) => {
    const { worktreePath } = await createSession(commit ? 'nested-committed' : 'nested-empty');
    const nested = join(worktreePath, 'vendor', 'lib');
    await mkdir(nested, { recursive: true });
    await runGit(['init', '--quiet'], { cwd: nested });
    await writeFile(join(nested, 'precious.txt'), 'only copy\n');
    if (commit) {
      await runGit(['add', '.'], { cwd: nested });
      await runGit(['commit', '--quiet', '-m', 'x'], {
        cwd: nested,
        config: { 'user.name': 'Agent', 'user.email': 'agent@example.invalid' },
      });
    }
    const error = await manager
      .remove({ repoPath: repo.path, worktreePath, sessionId: 'ses_n' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toMatch(/vendor\/lib/);
    expect(await readFile(join(nested, 'precious.txt'), 'utf8')).toBe('only copy\n');
    expect(await repo.git(['for-each-ref', 'refs/chatml'])).toBe('');
  });

  it('refuses to restore onto an existing path or a missing branch', async () => {
    const { worktreePath, branch } = await createSession('present');
    await expect(
      manager.restore({ repoPath: repo.path, worktreePath, branch, sessionId: 'ses_6' }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      manager.restore({
        repoPath: repo.path,
        worktreePath: worktreePathFor('gone'),
        branch: 'chatml/none',
        sessionId: 'ses_6',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses to remove a folder that is not one of the repository worktrees', async () => {
    const stranger = await makeTempDir('stranger');
    try {
      await writeFile(join(stranger.path, 'precious.txt'), 'keep me\n');
      await expect(
        manager.remove({ repoPath: repo.path, worktreePath: stranger.path, sessionId: 'ses_7' }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        manager.remove({ repoPath: repo.path, worktreePath: repo.path, sessionId: 'ses_7' }),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect(await readFile(join(stranger.path, 'precious.txt'), 'utf8')).toBe('keep me\n');
      await expectMainCheckoutUntouched();
    } finally {
      await stranger.cleanup();
    }
  });

  it('handles a worktree whose folder was deleted by hand', async () => {
    const { worktreePath, headSha } = await createSession('deleted');
    await rm(worktreePath, { recursive: true, force: true });
    expect(
      (await manager.list(repo.path)).find((worktree) => worktree.path === worktreePath)?.isPrunable,
    ).toBe(true);
    const removed = await manager.remove({ repoPath: repo.path, worktreePath, sessionId: 'ses_8' });
    expect(removed).toEqual({ archivedRef: null, headSha, keptIgnored: [], droppedIgnored: [] });
    expect(await manager.list(repo.path)).toHaveLength(1);
  });
});

describe('WorktreeManager.list and prune', () => {
  it('lists worktrees with paths containing spaces, and prune drops deleted ones only', async () => {
    const kept = await createSession('kept', 'kept with space');
    const lost = await createSession('lost');
    let listed = await manager.list(repo.path);
    expect(listed[0]).toMatchObject({ path: repo.path, isMain: true, branch: 'main', headSha: mainHead });
    expect(listed.find((worktree) => worktree.path === kept.worktreePath)).toMatchObject({
      branch: 'chatml/kept',
      isMain: false,
      isPrunable: false,
    });
    await rm(lost.worktreePath, { recursive: true, force: true });
    await manager.prune(repo.path);
    listed = await manager.list(repo.path);
    expect(listed.map((worktree) => worktree.path)).toEqual([repo.path, kept.worktreePath]);
    expect(await repo.git(['branch', '--list', 'chatml/lost'])).not.toBe(''); // branches are never pruned
  });
});
