import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempRepo, type TempRepo } from '@chatml/testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { sessionDiff } from './diff-service.js';
import { saveUncommittedWork } from './work-archive.js';

let repo: TempRepo;
beforeEach(async () => {
  repo = await createTempRepo({ files: { 'app.ts': 'export const app = 1;\n' } });
});
afterEach(() => repo.cleanup());

/** Wait for the start of a fresh wall-clock second, so the next few steps share one timestamp tick. */
async function startOfSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
}

/**
 * "Racy git": an edit of the same size made in the same second as the index was written has the
 * very stat data the index recorded. Git re-reads such files only because their mtime is not older
 * than the index file. A snapshot index copied a second later must keep that property.
 */
it('sees a same-size edit made in the same second as the last index write', async () => {
  await startOfSecond();
  await writeFile(join(repo.path, 'app.ts'), 'export const app = 2;\n');
  await repo.git(['add', 'app.ts']);
  await writeFile(join(repo.path, 'app.ts'), 'export const app = 3;\n');
  await new Promise((resolve) => setTimeout(resolve, 1100));

  const diff = await sessionDiff({ worktreePath: repo.path, baseBranch: 'main' });
  expect(diff.files[0]?.patch).toContain('+export const app = 3;');

  const saved = await saveUncommittedWork(repo.path, 'ses_racy');
  expect(saved).toBeTruthy();
  expect(await repo.git(['show', 'refs/chatml/archive/ses_racy:app.ts'])).toBe('export const app = 3;\n');
});

it('archives edits to files marked assume-unchanged or skip-worktree, and leaves the marks alone', async () => {
  await writeFile(join(repo.path, 'config.ts'), 'original\n');
  await writeFile(join(repo.path, 'local.ts'), 'original\n');
  await writeFile(join(repo.path, 'gone.ts'), 'original\n');
  await repo.git(['add', '.']);
  await repo.git(['commit', '-m', 'files']);
  await repo.git(['update-index', '--assume-unchanged', 'config.ts', 'gone.ts']);
  await repo.git(['update-index', '--skip-worktree', 'local.ts']);
  await writeFile(join(repo.path, 'config.ts'), 'uncommitted work\n');
  await writeFile(join(repo.path, 'local.ts'), 'more uncommitted work\n');
  await rm(join(repo.path, 'gone.ts'));
  const marks = await repo.git(['ls-files', '-v']);

  // (The diff view shows the worktree as `git diff` does, which honours the marks; an archive,
  // which removes the worktree, must not.)
  const saved = await saveUncommittedWork(repo.path, 'ses_marked');
  expect(saved).toBeTruthy();
  expect(await repo.git(['show', 'refs/chatml/archive/ses_marked:config.ts'])).toBe('uncommitted work\n');
  expect(await repo.git(['show', 'refs/chatml/archive/ses_marked:local.ts'])).toBe('more uncommitted work\n');
  expect(await repo.git(['ls-tree', '--name-only', 'refs/chatml/archive/ses_marked'])).not.toContain(
    'gone.ts',
  );
  // The worktree's own index keeps what the user set.
  expect(await repo.git(['ls-files', '-v'])).toBe(marks);
});

it('does not take the files a sparse checkout leaves out for deleted', async () => {
  await mkdir(join(repo.path, 'docs'));
  await writeFile(join(repo.path, 'docs/guide.md'), '# Guide\n');
  await repo.git(['add', '.']);
  await repo.git(['commit', '-m', 'docs']);
  await repo.git(['sparse-checkout', 'set', '--no-cone', '/app.ts']);
  await expect(access(join(repo.path, 'docs/guide.md'))).rejects.toThrow();

  const diff = await sessionDiff({ worktreePath: repo.path, baseBranch: 'main' });
  expect(diff.files).toEqual([]);
});
