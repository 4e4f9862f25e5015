import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBareRemote, createTempRepo, makeTempDir } from '@chatml/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { BadRequestError, NotAGitRepoError } from '../errors.js';
import { inspectRepo } from './repo-inspector.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function track<T extends { cleanup(): Promise<void> }>(resource: T): T {
  cleanups.push(() => resource.cleanup());
  return resource;
}

describe('inspectRepo', () => {
  it('describes a checkout', async () => {
    const repo = track(await createTempRepo());
    const head = (await repo.git(['rev-parse', 'HEAD'])).trim();
    expect(await inspectRepo(repo.path)).toEqual({
      root: repo.path,
      subfolder: '',
      isBare: false,
      currentBranch: 'main',
      defaultBranch: 'main',
      remoteUrl: null,
      headSha: head,
    });
  });

  it('resolves a subfolder to the top level and says where it was', async () => {
    const repo = track(await createTempRepo({ files: { 'packages/app/index.ts': 'export {};\n' } }));
    const info = await inspectRepo(join(repo.path, 'packages', 'app'));
    expect(info.root).toBe(repo.path);
    expect(info.subfolder).toBe('packages/app');
  });

  it('refuses a folder that is not in a repository', async () => {
    const dir = track(await makeTempDir('plain'));
    await expect(inspectRepo(dir.path)).rejects.toBeInstanceOf(NotAGitRepoError);
    await expect(inspectRepo(dir.path)).rejects.toThrow(
      /is not a git repository — pick the folder that contains/,
    );
  });

  it('refuses a missing path and a file, saying which it is', async () => {
    const repo = track(await createTempRepo({ files: { 'a.txt': 'a\n' } }));
    await expect(inspectRepo(join(repo.path, 'missing'))).rejects.toThrow(/missing does not exist\.$/);
    await expect(inspectRepo(join(repo.path, 'a.txt'))).rejects.toThrow(/a\.txt is a file/);
    await expect(inspectRepo(join(repo.path, 'a.txt'))).rejects.toBeInstanceOf(BadRequestError);
  });

  it('refuses a folder inside .git', async () => {
    const repo = track(await createTempRepo());
    await expect(inspectRepo(join(repo.path, '.git'))).rejects.toBeInstanceOf(NotAGitRepoError);
    await expect(inspectRepo(join(repo.path, '.git', 'refs'))).rejects.toBeInstanceOf(NotAGitRepoError);
  });

  it('refuses a repository without commits, saying what to do', async () => {
    const repo = track(await createTempRepo({ files: {} }));
    const error = await inspectRepo(repo.path).catch((e) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toBe(`${repo.path} has no commits yet — make a first commit, then add it again.`);
  });

  it('reports origin, and falls back to origin/HEAD when HEAD is detached', async () => {
    const source = track(await createTempRepo({ branch: 'trunk' }));
    const remote = track(await createBareRemote(source));
    const dir = track(await makeTempDir('clone'));
    const clonePath = join(dir.path, 'clone');
    await source.git(['clone', '--quiet', remote.url, clonePath]);
    await source.git(['-C', clonePath, 'checkout', '--quiet', '--detach']);
    await source.git(['-C', clonePath, 'branch', '--quiet', '-m', 'trunk', 'renamed']);
    const info = await inspectRepo(clonePath);
    expect(info.remoteUrl).toBe(remote.url);
    expect(info.currentBranch).toBeNull();
    // origin/HEAD -> origin/trunk; no local `trunk` any more, so the remote-tracking name is used.
    expect(info.defaultBranch).toBe('origin/trunk');
  });

  it('prefers a local main or master when nothing else names the default', async () => {
    const repo = track(await createTempRepo({ branch: 'master' }));
    await repo.git(['checkout', '--quiet', '-b', 'feature']);
    await repo.git(['checkout', '--quiet', '--detach']);
    expect((await inspectRepo(repo.path)).defaultBranch).toBe('master');
  });

  it('uses the most recent branch when there is no main, master or origin', async () => {
    const repo = track(await createTempRepo({ branch: 'develop' }));
    await repo.git(['checkout', '--quiet', '--detach']);
    expect((await inspectRepo(repo.path)).defaultBranch).toBe('develop');
  });

  it('skips an unborn current branch and reports a null headSha', async () => {
    const repo = track(await createTempRepo());
    await repo.git(['checkout', '--quiet', '--orphan', 'fresh']);
    const info = await inspectRepo(repo.path);
    expect(info.currentBranch).toBe('fresh');
    expect(info.headSha).toBeNull();
    expect(info.defaultBranch).toBe('main');
  });

  it("uses the main checkout's branch when pointed at a linked worktree", async () => {
    const repo = track(await createTempRepo({ branch: 'trunk' }));
    const dir = track(await makeTempDir('linked'));
    const linked = join(dir.path, 'wt');
    await repo.git(['worktree', 'add', '--quiet', '-b', 'side', linked]);
    const info = await inspectRepo(linked);
    expect(info.root).toBe(linked);
    expect(info.currentBranch).toBe('side');
    expect(info.defaultBranch).toBe('trunk');
  });

  it('describes a bare repository', async () => {
    const source = track(await createTempRepo());
    const remote = track(await createBareRemote(source));
    const info = await inspectRepo(remote.path);
    expect(info).toMatchObject({
      root: remote.path,
      isBare: true,
      currentBranch: 'main',
      defaultBranch: 'main',
    });
  });

  it('prefers origin over other remotes', async () => {
    const repo = track(await createTempRepo());
    await repo.git(['remote', 'add', 'a.fork', 'https://example.invalid/fork.git']);
    expect((await inspectRepo(repo.path)).remoteUrl).toBe('https://example.invalid/fork.git');
    await repo.git(['remote', 'add', 'origin', 'git@example.invalid:o/r.git']);
    expect((await inspectRepo(repo.path)).remoteUrl).toBe('git@example.invalid:o/r.git');
  });

  it('is not confused by a .git file that points nowhere', async () => {
    const dir = track(await makeTempDir('broken'));
    await writeFile(join(dir.path, '.git'), 'gitdir: /nonexistent\n');
    await expect(inspectRepo(dir.path)).rejects.toBeInstanceOf(NotAGitRepoError);
  });
});
