import { writeFile } from 'node:fs/promises';
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
