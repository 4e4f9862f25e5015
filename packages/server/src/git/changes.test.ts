import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempRepo, makeTempDir, type TempDir, type TempRepo } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { commitAll } from './commit.js';
import { commitDiff, listBranchCommits, listCommitsOf, listSessionCommits } from './commits.js';
import { sessionDiffPage } from './diff-pages.js';
import { parseCombinedDiff } from './diff-parser.js';
import { hasUntrackedFiles, STABLE_DIFF_ARGS, sessionDiff, withDiffSource } from './diff-service.js';
import { discardChanges } from './discard.js';
import { fileAtRef } from './file-at-ref.js';
import * as runGitModule from './run-git.js';
import { WorktreeManager } from './worktree-manager.js';

let repo: TempRepo;
let data: TempDir;
let worktreePath: string;

beforeEach(async () => {
  repo = await createTempRepo({
    files: {
      'README.md': '# project\n',
      'src/app.ts': 'export const app = 1;\n',
      'src/moved.ts': Array.from({ length: 30 }, (_, index) => `line ${index}\n`).join(''),
      '.gitignore': '*.log\n',
    },
  });
  data = await makeTempDir('changes');
  worktreePath = join(data.path, 'worktrees', 'session');
  await new WorktreeManager().create({
    repoPath: repo.path,
    worktreePath,
    branch: 'chatml/s',
    baseBranch: 'main',
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await data.cleanup();
  await repo.cleanup();
});

const write = async (path: string, content: string | Uint8Array) => {
  await mkdir(join(worktreePath, path, '..'), { recursive: true });
  await writeFile(join(worktreePath, path), content);
};
const read = (path: string) => readFile(join(worktreePath, path), 'utf8');
const sessionGit = (args: string[]) => repo.git(['-C', worktreePath, ...args]);

describe('commitAll', () => {
  it('commits tracked changes, deletions and untracked files, not ignored ones', async () => {
    await write('src/app.ts', 'export const app = 2;\n');
    await write('notes/new.md', 'new\n');
    await write('debug.log', 'ignored\n');
    await sessionGit(['rm', '-q', 'README.md']);
    const { sha } = await commitAll({ worktreePath, message: 'Session work\n\nwith a body' });
    expect(sha).toBe((await sessionGit(['rev-parse', 'HEAD'])).trim());
    expect((await sessionGit(['show', '--name-status', '--format=%s', 'HEAD'])).trim().split('\n')).toEqual([
      'Session work',
      '',
      'D\tREADME.md',
      'A\tnotes/new.md',
      'M\tsrc/app.ts',
    ]);
    expect(await sessionGit(['status', '--porcelain'])).toBe('');
    expect(existsSync(join(worktreePath, 'debug.log'))).toBe(true);
  });

  it('refuses an empty commit with a ConflictError', async () => {
    await write('only.log', 'ignored\n');
    await expect(commitAll({ worktreePath, message: 'nothing' })).rejects.toThrow(ConflictError);
    await expect(commitAll({ worktreePath, message: 'nothing' })).rejects.toThrow(/Nothing to commit/);
  });

  it('refuses to commit conflict markers it would add, and leaves nothing staged', async () => {
    // A file that already holds marker-like lines (committed before, by plain git) is not the problem.
    await write('fixtures/sample.txt', '<<<<<<< ours\nkept on purpose\n>>>>>>> theirs\n');
    await sessionGit(['add', 'fixtures/sample.txt']);
    await sessionGit(['commit', '-q', '-m', 'fixture']);
    await write(
      'src/app.ts',
      '<<<<<<< HEAD\nexport const app = 2;\n=======\nexport const app = 3;\n>>>>>>> main\n',
    );
    await write('fixtures/sample.txt', '<<<<<<< ours\nkept on purpose, edited\n>>>>>>> theirs\n');
    const refused = commitAll({ worktreePath, message: 'with markers' });
    await expect(refused).rejects.toThrow(ConflictError);
    await expect(refused).rejects.toThrow(/conflict markers .*: src\/app\.ts —/);
    expect(await sessionGit(['diff', '--cached', '--name-only'])).toBe('');
    // Resolved, it commits.
    await write('src/app.ts', 'export const app = 3;\n');
    await expect(commitAll({ worktreePath, message: 'resolved' })).resolves.toHaveProperty('sha');
  });

  it('refuses to commit on a detached HEAD or on another branch than the session’s', async () => {
    await write('src/app.ts', 'export const app = 2;\n');
    await expect(commitAll({ worktreePath, message: 'x', branch: 'chatml/other' })).rejects.toThrow(
      /on chatml\/s, not on the session branch chatml\/other/,
    );
    await sessionGit(['checkout', '-q', '--detach']);
    await expect(commitAll({ worktreePath, message: 'x', branch: 'chatml/s' })).rejects.toThrow(
      /HEAD is detached/,
    );
    await sessionGit(['checkout', '-q', 'chatml/s']);
    await expect(commitAll({ worktreePath, message: 'x', branch: 'chatml/s' })).resolves.toHaveProperty(
      'sha',
    );
  });

  it('reports a rejecting pre-commit hook as a conflict with its output', async () => {
    const hooks = join(data.path, 'hooks');
    await mkdir(hooks);
    await writeFile(join(hooks, 'pre-commit'), '#!/bin/sh\necho "lint failed: app.ts" >&2\nexit 1\n', {
      mode: 0o755,
    });
    await repo.git(['config', 'core.hooksPath', hooks]);
    await write('src/app.ts', 'bad\n');
    await expect(commitAll({ worktreePath, message: 'x' })).rejects.toThrow(/refused: lint failed: app\.ts/);
  });
});

describe('listSessionCommits and commitDiff', () => {
  it('lists the branch’s own commits, newest first, and diffs one against its parent', async () => {
    await repo.writeFiles({ 'README.md': '# main moved\n' });
    await repo.commitAll('on main only');
    await write('src/app.ts', 'export const app = 2;\n');
    const first = await commitAll({ worktreePath, message: 'first' });
    await sessionGit(['mv', 'src/moved.ts', 'src/renamed.ts']);
    await write('image.bin', Buffer.from([0, 1, 2, 3, 0, 255]));
    const second = await commitAll({ worktreePath, message: 'second\n\nbody text' });

    const { commits, behindBase } = await listSessionCommits({ worktreePath, baseBranch: 'main' });
    expect(behindBase).toBe(1); // "on main only"
    expect(commits.map((commit) => [commit.sha, commit.subject, commit.body])).toEqual([
      [second.sha, 'second', 'body text'],
      [first.sha, 'first', ''],
    ]);
    expect(commits[0]?.parents).toEqual([first.sha]);

    const diff = await commitDiff({ worktreePath, sha: second.sha });
    expect(diff.commit.sha).toBe(second.sha);
    expect(
      diff.files.map(({ path, oldPath, status, binary }) => ({ path, oldPath, status, binary })),
    ).toEqual([
      { path: 'image.bin', oldPath: null, status: 'added', binary: true },
      { path: 'src/renamed.ts', oldPath: 'src/moved.ts', status: 'renamed', binary: false },
    ]);
    const firstDiff = await commitDiff({ worktreePath, sha: first.sha.slice(0, 10) });
    expect(firstDiff.files[0]?.patch).toContain('+export const app = 2;');
  });

  it('tells a branch whose changes are on the base already (squash-merged) from one with work to merge', async () => {
    await write('src/app.ts', 'export const app = 2;\n');
    await commitAll({ worktreePath, message: 'session work' });
    await repo.writeFiles({ 'README.md': '# main moved\n' });
    await repo.commitAll('on main only');
    const before = await listSessionCommits({ worktreePath, baseBranch: 'main' });
    expect(before).toMatchObject({ behindBase: 1, mergedIntoBase: false });
    expect(before.commits).toHaveLength(1);

    await repo.git(['merge', '--squash', '--quiet', 'chatml/s']);
    await repo.git(['commit', '--quiet', '-m', 'squashed session work']);
    const after = await listSessionCommits({ worktreePath, baseBranch: 'main' });
    // Its commit is still its own (a squash makes a new one), but merging it would change nothing.
    expect(after).toMatchObject({ behindBase: 2, mergedIntoBase: true });
    expect(after.commits).toHaveLength(1);
  });

  it('stops reading when whoever asked goes away', async () => {
    const controller = new AbortController();
    const listing = listCommitsOf({
      worktreePath,
      hasWorktree: true,
      repoPath: repo.path,
      branch: 'chatml/s',
      baseBranch: 'main',
      signal: controller.signal,
    });
    controller.abort();
    await expect(listing).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses hostile or unknown revisions', async () => {
    await expect(commitDiff({ worktreePath, sha: '--output=/tmp/x' })).rejects.toThrow(BadRequestError);
    await expect(commitDiff({ worktreePath, sha: 'HEAD..main' })).rejects.toThrow(BadRequestError);
    await expect(commitDiff({ worktreePath, sha: 'deadbeef' })).rejects.toThrow(NotFoundError);
  });

  it('names the uncommitted paths one by one: edits, deletions, renames, untracked files, not ignored ones', async () => {
    expect(await listSessionCommits({ worktreePath, baseBranch: 'main' })).toMatchObject({
      uncommitted: [],
      uncommittedCount: 0,
      trackedUncommittedCount: 0,
      behindBase: 0,
    });
    await write('only-untracked.md', 'new\n');
    expect(await listSessionCommits({ worktreePath, baseBranch: 'main' })).toMatchObject({
      uncommittedCount: 1,
      trackedUncommittedCount: 0,
    });
    await rm(join(worktreePath, 'only-untracked.md'));
    await write('src/app.ts', 'export const app = 3;\n');
    await sessionGit(['rm', '-q', 'README.md']);
    await sessionGit(['mv', 'src/moved.ts', 'src/renamed.ts']);
    await write('notes/deep/new file.md', 'new\n');
    await write('debug.log', 'ignored\n');

    const list = await listSessionCommits({ worktreePath, baseBranch: 'main' });
    expect(list.uncommitted).toEqual(['README.md', 'notes/deep/new file.md', 'src/app.ts', 'src/renamed.ts']);
    expect(list.uncommittedCount).toBe(4);
    // The edit, the deletion and the rename: a sync is refused for these, not for the new file.
    expect(list.trackedUncommittedCount).toBe(3);
    await commitAll({ worktreePath, message: 'all of it' });
    expect((await listSessionCommits({ worktreePath, baseBranch: 'main' })).uncommitted).toEqual([]);
  });
});

describe('listBranchCommits (a session without a worktree)', () => {
  const removeWorktree = () => repo.git(['worktree', 'remove', '--force', worktreePath]);

  it('is where listCommitsOf reads a session whose worktree went away (e.g. while being archived)', async () => {
    await write('src/app.ts', 'export const app = 2;\n');
    await commitAll({ worktreePath, message: 'first' });
    const options = {
      worktreePath,
      hasWorktree: true,
      repoPath: repo.path,
      branch: 'chatml/s',
      baseBranch: 'main',
    };
    const fromWorktree = await listCommitsOf(options);
    await removeWorktree();
    const fromBranch = await listCommitsOf(options);
    expect(fromBranch.commits).toEqual(fromWorktree.commits);
    expect(fromBranch.uncommitted).toEqual([]);
  });

  it('lists the kept branch’s own commits from the repository, as the worktree did, with nothing uncommitted', async () => {
    await repo.writeFiles({ 'README.md': '# main moved\n' });
    await repo.commitAll('on main only');
    await write('src/app.ts', 'export const app = 2;\n');
    await commitAll({ worktreePath, message: 'first' });
    await write('notes.md', 'second\n');
    await commitAll({ worktreePath, message: 'second' });
    await write('left-over.txt', 'uncommitted\n');
    const inWorktree = await listSessionCommits({ worktreePath, baseBranch: 'main' });
    await removeWorktree();

    const listed = await listBranchCommits({ repoPath: repo.path, branch: 'chatml/s', baseBranch: 'main' });
    expect(listed).toEqual({
      mergeBase: inWorktree.mergeBase,
      commits: inWorktree.commits,
      uncommitted: [],
      uncommittedCount: 0,
      trackedUncommittedCount: 0,
      behindBase: 1,
      mergedIntoBase: false,
      unavailableReason: null,
    });
    expect(inWorktree.behindBase).toBe(1);
    expect(listed.commits.map((commit) => commit.subject)).toEqual(['second', 'first']);
  });

  it('answers an empty list saying the branch is missing when the branch is gone', async () => {
    await write('src/app.ts', 'export const app = 2;\n');
    await commitAll({ worktreePath, message: 'merged, then retired' });
    await removeWorktree();
    await repo.git(['branch', '-D', 'chatml/s']);

    expect(await listBranchCommits({ repoPath: repo.path, branch: 'chatml/s', baseBranch: 'main' })).toEqual({
      mergeBase: null,
      commits: [],
      uncommitted: [],
      uncommittedCount: 0,
      trackedUncommittedCount: 0,
      behindBase: null,
      mergedIntoBase: false,
      unavailableReason: 'branch_missing',
    });
  });
});

describe('sessionDiff without untracked files', () => {
  it('takes the one-pass path and reports exactly what the snapshot path does', async () => {
    await write('src/app.ts', 'staged\n');
    await sessionGit(['add', 'src/app.ts']);
    await write('src/app.ts', 'staged, then edited again\n');
    await sessionGit(['mv', 'src/moved.ts', 'src/renamed.ts']);
    await sessionGit(['rm', '-q', 'README.md']);
    await write('debug.log', 'ignored, so not untracked\n');
    expect(await hasUntrackedFiles(worktreePath)).toBe(false);

    const fast = await sessionDiff({ worktreePath, baseBranch: 'main' });
    const viaSnapshot = await withDiffSource(worktreePath, true, undefined, async (source) =>
      parseCombinedDiff(
        (
          await runGitModule.runGit(
            [
              'diff',
              ...source.args,
              '--raw',
              '--numstat',
              '--patch',
              '-z',
              '--find-renames',
              ...STABLE_DIFF_ARGS,
              fast.mergeBase,
            ],
            { cwd: worktreePath, env: source.env, config: { 'core.quotePath': 'false' } },
          )
        ).stdout,
      ),
    );
    expect(fast.files).toEqual(viaSnapshot);
    expect(fast.files.map((file) => [file.status, file.path])).toEqual([
      ['deleted', 'README.md'],
      ['modified', 'src/app.ts'],
      ['renamed', 'src/renamed.ts'],
    ]);
    expect(fast.files[1]?.patch).toContain('+staged, then edited again');
  });
});

describe('sessionDiffPage', () => {
  it('pages by file with totals for the whole diff, keeping renames and binaries as such', async () => {
    for (let index = 0; index < 7; index++) await write(`many/file-${index}.txt`, `content ${index}\n`);
    await sessionGit(['mv', 'src/moved.ts', 'src/renamed.ts']);
    await write('blob.bin', Buffer.from([0, 0, 1]));
    const full = await sessionDiffPage({ worktreePath, baseBranch: 'main', offset: 0 });
    expect(full.totalFiles).toBe(9);
    expect(full.nextOffset).toBeNull();

    const pages = [];
    for (let offset: number | null = 0; offset !== null; ) {
      const page = await sessionDiffPage({ worktreePath, baseBranch: 'main', offset, limit: 4 });
      pages.push(page);
      offset = page.nextOffset;
    }
    expect(pages.map((page) => page.files.length)).toEqual([4, 4, 1]);
    expect(pages.flatMap((page) => page.files)).toEqual(full.files);
    expect(pages[0]).toMatchObject({ totalFiles: 9, additions: full.additions, deletions: full.deletions });
    const renamed = full.files.find((file) => file.status === 'renamed');
    expect(renamed).toMatchObject({ path: 'src/renamed.ts', oldPath: 'src/moved.ts' });
    expect(full.files.find((file) => file.path === 'blob.bin')?.binary).toBe(true);
  });
});

describe('fileAtRef', () => {
  it('returns a file at a commit, branch or HEAD~N, as text or base64', async () => {
    await write('src/app.ts', 'export const app = 2;\n');
    await write('bin/data', Buffer.from([1, 0, 2]));
    await commitAll({ worktreePath, message: 'change' });
    expect(await fileAtRef({ cwd: worktreePath, ref: 'HEAD~1', path: 'src/app.ts' })).toMatchObject({
      content: 'export const app = 1;\n',
      encoding: 'utf8',
      kind: 'file',
    });
    expect((await fileAtRef({ cwd: repo.path, ref: 'chatml/s', path: 'src/app.ts' })).content).toBe(
      'export const app = 2;\n',
    );
    const binary = await fileAtRef({ cwd: worktreePath, ref: 'HEAD', path: 'bin/data' });
    expect(binary).toMatchObject({ binary: true, encoding: 'base64', size: 3 });
    expect(Buffer.from(binary.content ?? '', 'base64')).toEqual(Buffer.from([1, 0, 2]));
  });

  it('reports a symlink’s target without following it', async () => {
    await symlink('/etc/passwd', join(worktreePath, 'link'));
    await commitAll({ worktreePath, message: 'link' });
    expect(await fileAtRef({ cwd: worktreePath, ref: 'HEAD', path: 'link' })).toMatchObject({
      kind: 'symlink',
      content: '/etc/passwd',
    });
  });

  it('refuses path traversal and hostile refs before running git', async () => {
    const spy = vi.spyOn(runGitModule, 'runGit');
    for (const path of [
      '../outside',
      'src/../../x',
      '/etc/passwd',
      '.git/config',
      'src//app.ts',
      'a\\..\\b',
      'x\u0000',
    ]) {
      await expect(fileAtRef({ cwd: worktreePath, ref: 'HEAD', path })).rejects.toThrow(BadRequestError);
    }
    for (const ref of ['--output=/tmp/x', 'HEAD:src/app.ts', 'main@{1}', 'a..b', '-n']) {
      await expect(fileAtRef({ cwd: worktreePath, ref, path: 'README.md' })).rejects.toThrow(BadRequestError);
    }
    expect(spy).not.toHaveBeenCalled();
  });

  it('says which file or folder is not there', async () => {
    await expect(fileAtRef({ cwd: worktreePath, ref: 'HEAD', path: 'nope.txt' })).rejects.toThrow(
      NotFoundError,
    );
    await expect(fileAtRef({ cwd: worktreePath, ref: 'HEAD', path: 'src' })).rejects.toThrow(/folder/);
  });
});

describe('discardChanges', () => {
  it('restores tracked files from HEAD and deletes untracked ones, leaving other changes and ignored files', async () => {
    await write('src/app.ts', 'changed\n');
    await sessionGit(['add', 'src/app.ts']);
    await write('src/app.ts', 'changed again\n');
    await write('README.md', 'keep this change\n');
    await sessionGit(['rm', '-q', 'src/moved.ts']);
    await write('scratch/new.txt', 'new\n');
    await write('staged-new.txt', 'staged\n');
    await sessionGit(['add', 'staged-new.txt']);
    await write('scratch/trace.log', 'ignored\n');

    const result = await discardChanges({
      worktreePath,
      paths: ['src/app.ts', 'src/moved.ts', 'scratch/new.txt', 'staged-new.txt'],
    });
    expect(result.restored.sort()).toEqual(['src/app.ts', 'src/moved.ts']);
    expect(result.deleted.sort()).toEqual(['scratch/new.txt', 'staged-new.txt']);
    expect(await read('src/app.ts')).toBe('export const app = 1;\n');
    expect(existsSync(join(worktreePath, 'src/moved.ts'))).toBe(true);
    expect(existsSync(join(worktreePath, 'staged-new.txt'))).toBe(false);
    expect(await read('README.md')).toBe('keep this change\n');
    expect(await read('scratch/trace.log')).toBe('ignored\n');
    expect(await sessionGit(['status', '--porcelain'])).toBe(' M README.md\n');
  });

  it('refuses paths that leave the worktree or lead through a symlink', async () => {
    await expect(discardChanges({ worktreePath, paths: ['../outside'] })).rejects.toThrow(BadRequestError);
    await expect(discardChanges({ worktreePath, paths: ['.git'] })).rejects.toThrow(BadRequestError);
    const outside = await makeTempDir('outside');
    try {
      await writeFile(join(outside.path, 'victim.txt'), 'keep\n');
      await symlink(outside.path, join(worktreePath, 'escape'));
      await discardChanges({ worktreePath, paths: ['escape/victim.txt'] }).catch(() => undefined);
      expect(await readFile(join(outside.path, 'victim.txt'), 'utf8')).toBe('keep\n');
    } finally {
      await outside.cleanup();
    }
  });
});
