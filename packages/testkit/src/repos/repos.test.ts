import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLargeRepo } from './large-repo.js';
import { makeTempDir } from './temp-dir.js';
import { createBareRemote, createTempRepo } from './temp-repo.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function track<T extends { cleanup(): Promise<void> }>(resource: T): T {
  cleanups.push(() => resource.cleanup());
  return resource;
}

describe('makeTempDir', () => {
  it('creates an empty directory that cleanup removes', async () => {
    const dir = await makeTempDir('unit test');
    await writeFile(join(dir.path, 'x'), 'x');
    expect(dir.path).toMatch(/chatml-unit-test-/);
    await dir.cleanup();
    expect(existsSync(dir.path)).toBe(false);
  });
});

describe('createTempRepo', () => {
  it('makes a repo on main with the given files committed', async () => {
    const repo = track(await createTempRepo({ files: { 'a.txt': 'a\n', 'dir/b.txt': 'b\n' } }));
    expect((await repo.git(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('main');
    expect((await repo.git(['ls-files'])).trim().split('\n')).toEqual(['a.txt', 'dir/b.txt']);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
  });

  it('makes further commits and honours the branch name', async () => {
    const repo = track(
      await createTempRepo({
        branch: 'trunk',
        commits: [
          { message: 'second', files: { 'a.txt': 'a\n' } },
          { message: 'third', files: { 'README.md': null } },
        ],
      }),
    );
    expect((await repo.git(['log', '--format=%s'])).trim().split('\n')).toEqual([
      'third',
      'second',
      'initial commit',
    ]);
    expect((await repo.git(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('trunk');
    expect(existsSync(join(repo.path, 'README.md'))).toBe(false);
  });

  it('makes a repo without commits when files is empty', async () => {
    const repo = track(await createTempRepo({ files: {} }));
    await expect(repo.git(['rev-parse', '--verify', 'HEAD'])).rejects.toThrow(/failed/);
  });

  it('ignores the global git config of the machine', async () => {
    const dir = track(await makeTempDir('config'));
    const globalConfig = join(dir.path, 'gitconfig');
    await writeFile(globalConfig, '[user]\n\tname = Someone Else\n[commit]\n\tgpgsign = true\n');
    const previous = process.env.GIT_CONFIG_GLOBAL;
    process.env.GIT_CONFIG_GLOBAL = globalConfig;
    try {
      // With that config honoured, the commit would fail (no signing key) or carry the wrong author.
      const repo = track(await createTempRepo());
      expect((await repo.git(['log', '-1', '--format=%an'])).trim()).toBe('ChatML Test');
    } finally {
      if (previous === undefined) delete process.env.GIT_CONFIG_GLOBAL;
      else process.env.GIT_CONFIG_GLOBAL = previous;
    }
  });

  it('commitAll refuses when nothing changed', async () => {
    const repo = track(await createTempRepo());
    await expect(repo.commitAll('nothing')).rejects.toThrow(/nothing to commit/);
  });

  it('refuses to write files outside the repo', async () => {
    const repo = track(await createTempRepo());
    await expect(repo.writeFiles({ '../escape.txt': 'x' })).rejects.toThrow(/outside/);
  });

  it('cleanup removes the repo', async () => {
    const repo = await createTempRepo();
    await repo.cleanup();
    expect(existsSync(repo.path)).toBe(false);
  });
});

describe('createBareRemote', () => {
  it('is a bare copy of the repo that can be cloned through its file URL', async () => {
    const repo = track(await createTempRepo({ files: { 'a.txt': 'hello\n' } }));
    const remote = track(await createBareRemote(repo));
    expect((await remote.git(['rev-parse', '--is-bare-repository'])).trim()).toBe('true');
    expect(remote.url).toMatch(/^file:\/\//);
    const dest = track(await makeTempDir('clone'));
    const clone = join(dest.path, 'c');
    await repo.git(['clone', '--quiet', remote.url, clone]);
    expect(await readFile(join(clone, 'a.txt'), 'utf8')).toBe('hello\n');
  });
});

describe('createLargeRepo', () => {
  it('makes a clean checkout with the requested number of files', async () => {
    const dir = track(await makeTempDir('large'));
    const repo = await createLargeRepo(join(dir.path, 'big'), 2_000);
    expect((await repo.git(['ls-files'])).trim().split('\n')).toHaveLength(2_000);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    expect(existsSync(join(repo.path, 'src/module-9/file-1999.ts'))).toBe(true);
    await repo.cleanup();
    expect(existsSync(repo.path)).toBe(false);
  });
});
