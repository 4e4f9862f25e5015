import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DiffPage, type FileDiff } from '@chatml/protocol';
import { createTempRepo, makeTempDir, type TempDir, type TempRepo } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadRequestError, ConflictError } from '../errors.js';
import { sessionDiff, streamSessionDiff } from './diff-service.js';
import { runGit } from './run-git.js';
import { WorktreeManager } from './worktree-manager.js';

const RENAMED_BODY = Array.from({ length: 20 }, (_, index) => `line ${index}\n`).join('');

let repo: TempRepo;
let data: TempDir;
let worktreePath: string;
let startSha: string;

beforeEach(async () => {
  repo = await createTempRepo({
    files: {
      'README.md': '# project\n',
      'src/app.ts': 'one\ntwo\nthree\n',
      'src/gone.ts': 'delete me\n',
      'src/before.ts': RENAMED_BODY,
      'docs/with space.md': 'spaced\n',
      '.gitignore': '*.log\n',
    },
  });
  data = await makeTempDir('diff');
  worktreePath = join(data.path, 'worktrees', 'session');
  startSha = (await repo.git(['rev-parse', 'HEAD'])).trim();
  await new WorktreeManager().create({
    repoPath: repo.path,
    worktreePath,
    branch: 'chatml/session',
    baseBranch: 'main',
  });
});
afterEach(async () => {
  await data.cleanup();
  await repo.cleanup();
});

/** Writes a file in the worktree, creating its folder. */
async function write(relativePath: string, content: string | Uint8Array) {
  const target = join(worktreePath, relativePath);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content);
}

const inWorktree = async (args: string[]) => (await runGit(args, { cwd: worktreePath })).stdout;
const byPath = (files: FileDiff[]) => new Map(files.map((file) => [file.path, file]));

describe('sessionDiff', () => {
  it('includes committed, modified, added, deleted, renamed, binary and spaced files against the merge-base', async () => {
    await writeFile(join(worktreePath, 'committed.ts'), 'from a commit\n');
    await inWorktree(['add', 'committed.ts']);
    await runGit(['commit', '--quiet', '-m', 'session commit'], {
      cwd: worktreePath,
      config: { 'user.name': 'Agent', 'user.email': 'agent@example.invalid' },
    });
    await writeFile(join(worktreePath, 'src/app.ts'), 'one\n2\nthree\nfour\n');
    await rm(join(worktreePath, 'src/gone.ts'));
    await rm(join(worktreePath, 'src/before.ts'));
    await writeFile(join(worktreePath, 'src/after.ts'), `${RENAMED_BODY}line 20\n`);
    await writeFile(
      join(worktreePath, 'image.png'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 255]),
    );
    await writeFile(join(worktreePath, 'docs/with space.md'), 'spaced out\n');
    await write('new folder/ünïcödé file.txt', 'hello\n');
    await writeFile(join(worktreePath, 'debug.log'), 'ignored\n');

    const diff = await sessionDiff({ worktreePath, baseBranch: 'main' });

    expect(diff.mergeBase).toBe(startSha);
    const files = byPath(diff.files);
    expect([...files.keys()].sort()).toEqual(
      [
        'committed.ts',
        'docs/with space.md',
        'image.png',
        'new folder/ünïcödé file.txt',
        'src/after.ts',
        'src/app.ts',
        'src/gone.ts',
      ].sort(),
    );
    expect(files.get('committed.ts')).toMatchObject({
      status: 'added',
      additions: 1,
      deletions: 0,
      oldPath: null,
    });
    expect(files.get('src/app.ts')).toMatchObject({
      status: 'modified',
      additions: 2,
      deletions: 1,
      binary: false,
    });
    expect(files.get('src/app.ts')?.patch).toMatch(
      /^diff --git a\/src\/app.ts b\/src\/app.ts\n[\s\S]*\n-two\n\+2\n/,
    );
    expect(files.get('src/gone.ts')).toMatchObject({ status: 'deleted', additions: 0, deletions: 1 });
    expect(files.get('src/after.ts')).toMatchObject({
      status: 'renamed',
      oldPath: 'src/before.ts',
      additions: 1,
      deletions: 0,
    });
    expect(files.get('src/after.ts')?.patch).toMatch(/rename from src\/before.ts\nrename to src\/after.ts\n/);
    expect(files.get('image.png')).toMatchObject({
      status: 'added',
      binary: true,
      additions: 0,
      deletions: 0,
    });
    expect(files.get('image.png')?.patch).toMatch(/Binary files \/dev\/null and b\/image.png differ/);
    expect(files.get('docs/with space.md')).toMatchObject({ status: 'modified', additions: 1, deletions: 1 });
    expect(files.get('docs/with space.md')?.patch).toMatch(/\+spaced out\n/);
    expect(files.get('new folder/ünïcödé file.txt')).toMatchObject({ status: 'added', additions: 1 });
    expect(files.get('new folder/ünïcödé file.txt')?.patch).toMatch(
      /^diff --git a\/new folder\/ünïcödé file.txt/,
    );
    for (const file of diff.files) expect(file.patch).toMatch(/^diff --git /);
  });

  it('leaves out commits made on the base branch after the session started', async () => {
    await repo.writeFiles({ 'README.md': '# changed on main\n', 'main-only.ts': 'later\n' });
    await repo.commitAll('main moves on');
    await writeFile(join(worktreePath, 'src/app.ts'), 'one\ntwo\nthree\nsession\n');

    const diff = await sessionDiff({ worktreePath, baseBranch: 'main' });

    expect(diff.mergeBase).toBe(startSha);
    expect(diff.files.map((file) => file.path)).toEqual(['src/app.ts']);
  });

  it('does not touch the worktree index', async () => {
    await writeFile(join(worktreePath, 'src/app.ts'), 'staged\n');
    await inWorktree(['add', 'src/app.ts']);
    await writeFile(join(worktreePath, 'README.md'), 'unstaged\n');
    await writeFile(join(worktreePath, 'untracked.txt'), 'new\n');
    const indexPath = (
      await inWorktree(['rev-parse', '--path-format=absolute', '--git-path', 'index'])
    ).trim();
    const statusBefore = await inWorktree(['status', '--porcelain', '--untracked-files=all']);
    const indexBefore = await readFile(indexPath);

    const diff = await sessionDiff({ worktreePath, baseBranch: 'main' });

    expect(diff.files.map((file) => file.path).sort()).toEqual(['README.md', 'src/app.ts', 'untracked.txt']);
    expect(await inWorktree(['status', '--porcelain', '--untracked-files=all'])).toBe(statusBefore);
    expect(await readFile(indexPath)).toEqual(indexBefore);
  });

  it('is empty for an untouched session', async () => {
    expect(await sessionDiff({ worktreePath, baseBranch: 'main' })).toEqual({
      mergeBase: startSha,
      files: [],
    });
  });

  it('handles names git has to quote, and type changes', async () => {
    const awkward = ['tab\there.txt', 'quote"name.txt', 'back\\slash.txt', 'new\nline.txt', 'a b/c d.txt'];
    for (const name of awkward) await write(name, 'content\n');
    await rm(join(worktreePath, 'README.md'));
    await symlink('src/app.ts', join(worktreePath, 'README.md'));

    const diff = await sessionDiff({ worktreePath, baseBranch: 'main' });

    const files = byPath(diff.files);
    for (const name of awkward) {
      expect(files.get(name)).toMatchObject({ status: 'added', additions: 1 });
      expect(files.get(name)?.patch).toMatch(/^diff --git "?a\//);
      expect(files.get(name)?.patch).toContain('\n+content\n');
    }
    const typeChange = files.get('README.md');
    expect(typeChange?.status).toBe('type_changed');
    expect(typeChange?.patch.match(/^diff --git /gm)).toHaveLength(2);
    expect(typeChange?.patch).toContain('+src/app.ts');
  });

  it('still works when the agent ran `git init` in a folder of the worktree', async () => {
    await runGit(['init', '--quiet', 'scratch'], { cwd: worktreePath });
    await write('scratch/notes.txt', 'not committed in the nested repo\n');
    await write('kept.txt', 'visible\n');
    const diff = await sessionDiff({ worktreePath, baseBranch: 'main' });
    expect(diff.files.map((file) => file.path)).toEqual(['kept.txt']);
  });

  it('is not thrown off by user diff settings', async () => {
    await repo.git(['config', 'diff.noprefix', 'true']);
    await repo.git(['config', 'color.diff', 'always']);
    await repo.git(['config', 'diff.mnemonicPrefix', 'true']);
    await writeFile(join(worktreePath, 'src/app.ts'), 'changed\n');
    const diff = await sessionDiff({ worktreePath, baseBranch: 'main' });
    expect(diff.files[0]?.patch).toMatch(/^diff --git a\/src\/app.ts b\/src\/app.ts\n/);
    expect(diff.files[0]?.patch).not.toContain('\u001b[');
  });

  it('prints three lines of context around a change whatever diff.context says', async () => {
    await repo.git(['config', 'diff.context', '10']);
    await write('src/before.ts', RENAMED_BODY.replace('line 10\n', 'line ten\n'));
    const diff = await sessionDiff({ worktreePath, baseBranch: 'main' });
    // The 11th of 20 lines: 3 lines either side (git would print all 20 with diff.context=10).
    expect(diff.files[0]?.patch).toContain('@@ -8,7 +8,7 @@');
  });

  it('refuses a missing or hostile base branch', async () => {
    await expect(sessionDiff({ worktreePath, baseBranch: 'nope' })).rejects.toBeInstanceOf(BadRequestError);
    await expect(sessionDiff({ worktreePath, baseBranch: '--output=/tmp/x' })).rejects.toThrow(
      /starts with "-"/,
    );
  });

  it('says so when the base branch shares no history with the session', async () => {
    // An orphan branch in the repository: it exists, but has no commit in common with the session.
    await repo.git(['checkout', '-q', '--orphan', 'unrelated']);
    await repo.git(['rm', '-rq', '--cached', '.']);
    await repo.git(['commit', '-q', '--allow-empty', '-m', 'unrelated root']);
    await repo.git(['checkout', '-q', '-f', 'main']);
    await expect(sessionDiff({ worktreePath, baseBranch: 'unrelated' })).rejects.toThrow(
      /no history in common with "unrelated"/,
    );
    await expect(sessionDiff({ worktreePath, baseBranch: 'unrelated' })).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('stays fast on a big diff (one git diff, no per-file calls)', async () => {
    for (let index = 0; index < 3_000; index++) {
      await write(`gen/folder-${index % 30}/file-${index}.ts`, `export const v${index} = ${index};\n`);
    }
    const started = Date.now();
    const diff = await sessionDiff({ worktreePath, baseBranch: 'main' });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(diff.files).toHaveLength(3_000);
    expect(diff.files.every((file) => file.additions === 1 && file.patch.startsWith('diff --git'))).toBe(
      true,
    );
  });
});

describe('streamSessionDiff', () => {
  /** The streamed answer, parsed and checked against the DiffPage schema, and how many writes it took. */
  async function streamed(offset = 0, baseBranch = 'main') {
    const stream = await streamSessionDiff({ worktreePath, baseBranch, offset });
    const chunks: string[] = [];
    await stream.pipe((chunk) => chunks.push(chunk));
    return { page: DiffPage.parse(JSON.parse(chunks.join(''))), writes: chunks.length };
  }

  it('writes the same diff as sessionDiff, file by file, with totals for all files', async () => {
    for (let index = 0; index < 4; index++) await write(`gen/file-${index}.txt`, `line ${index}\n`);
    await inWorktree(['add', 'gen']);
    await write('src/app.ts', 'one\nchanged\nthree\n');
    const whole = await sessionDiff({ worktreePath, baseBranch: 'main' });
    const { page, writes } = await streamed();
    expect(page).toEqual({
      mergeBase: whole.mergeBase,
      files: whole.files,
      totalFiles: 5,
      offset: 0,
      nextOffset: null,
      additions: 5,
      deletions: 1,
    });
    expect(writes).toBeGreaterThanOrEqual(whole.files.length + 2); // opening, one per file, totals

    const later = await streamed(3);
    expect(later.page.files).toEqual(whole.files.slice(3));
    expect(later.page).toMatchObject({ totalFiles: 5, offset: 3, additions: 5, deletions: 1 });
    expect((await streamed(9)).page.files).toEqual([]);
  });

  it('takes the snapshot path when there are untracked files, and nothing of the dropped diff leaks in', async () => {
    await write('src/app.ts', 'one\nchanged\nthree\n');
    await write('untracked.txt', 'new\n');
    const { page } = await streamed();
    expect(page.files.map((file) => [file.status, file.path])).toEqual([
      ['modified', 'src/app.ts'],
      ['added', 'untracked.txt'],
    ]);
  });

  it('fails before writing anything when the base branch is missing', async () => {
    await expect(streamSessionDiff({ worktreePath, baseBranch: 'nope', offset: 0 })).rejects.toBeInstanceOf(
      BadRequestError,
    );
  });
});
