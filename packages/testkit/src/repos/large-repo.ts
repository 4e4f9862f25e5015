import { mkdir, readdir, realpath, rm } from 'node:fs/promises';
import { execGit } from './git-exec.js';
import { initRepo, type TempRepo } from './temp-repo.js';

const FILES_PER_FOLDER = 200;

/**
 * Makes a repository at `path` (created if missing, must be empty) whose single commit on `main`
 * holds `fileCount` small TypeScript files spread over folders of 200, checked out in the working
 * tree. For benchmarks: 20,000 files take a few seconds, because the commit is streamed through one
 * `git fast-import` and written out by one parallel `git reset --hard` instead of N writes and hashes.
 * `cleanup()` removes `path`.
 */
export async function createLargeRepo(path: string, fileCount: number): Promise<TempRepo> {
  if (!Number.isInteger(fileCount) || fileCount < 1)
    throw new Error(`fileCount must be >= 1, got ${fileCount}`);
  await mkdir(path, { recursive: true });
  if ((await readdir(path)).length > 0) throw new Error(`createLargeRepo: ${path} is not empty`);
  const root = await realpath(path);
  const repo = await initRepo(root, 'main', () => rm(root, { recursive: true, force: true, maxRetries: 3 }));
  try {
    await execGit(root, ['fast-import', '--quiet', '--done'], fastImportStream(fileCount));
    // Parallel checkout: writing 20k files one by one is latency-bound (10 s+ on a busy CI disk).
    await execGit(root, ['-c', 'checkout.workers=8', 'reset', '--hard', '--quiet']);
    return repo;
  } catch (error) {
    await repo.cleanup();
    throw error;
  }
}

function fastImportStream(fileCount: number): string {
  const message = `${fileCount} generated files\n`;
  const parts = [
    'commit refs/heads/main\n',
    // A fixed date keeps the commit sha stable across runs, so benchmarks compare like with like.
    'committer ChatML Test <test@chatml.invalid> 1700000000 +0000\n',
    `data ${Buffer.byteLength(message)}\n${message}\n`,
  ];
  for (let index = 0; index < fileCount; index++) {
    const folder = `src/module-${Math.floor(index / FILES_PER_FOLDER)}`;
    const content = `export const value${index} = ${index};\nexport function get${index}(): number {\n  return value${index};\n}\n`;
    parts.push(
      `M 100644 inline ${folder}/file-${index}.ts\ndata ${Buffer.byteLength(content)}\n${content}\n`,
    );
  }
  parts.push('done\n');
  return parts.join('');
}
