import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BareRemote,
  createBareRemote,
  createTempRepo,
  makeTempDir,
  type TempDir,
  type TempRepo,
} from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, ConflictError, GitError } from '../errors.js';
import { checkLocalCloneSource, cloneRepo, validateCloneUrl } from './clone.js';
import { inspectRepo } from './repo-inspector.js';

let source: TempRepo;
let remote: BareRemote;
let dir: TempDir;
let counter = 0;
const freshDest = () => join(dir.path, `clone-${++counter}`);

beforeAll(async () => {
  source = await createTempRepo({ files: { 'README.md': '# cloned\n', 'src/a.ts': 'export {};\n' } });
  remote = await createBareRemote(source);
  dir = await makeTempDir('clones');
});
afterAll(async () => {
  await dir.cleanup();
  await remote.cleanup();
  await source.cleanup();
});

describe('cloneRepo', () => {
  it('clones a file:// URL, reporting progress', async () => {
    const progress: Array<[string, number | null]> = [];
    const dest = freshDest();
    const result = await cloneRepo({
      url: remote.url,
      dest,
      onProgress: (phase, percent) => progress.push([phase, percent]),
    });

    expect(result).toEqual({ path: dest });
    expect(await readFile(join(dest, 'README.md'), 'utf8')).toBe('# cloned\n');
    const info = await inspectRepo(dest);
    expect(info).toMatchObject({
      root: dest,
      currentBranch: 'main',
      defaultBranch: 'main',
      remoteUrl: remote.url,
    });
    expect(progress[0]).toEqual(['Cloning', null]);
    expect(progress).toContainEqual(['Receiving objects', 100]);
    const receiving = progress
      .filter(([phase]) => phase === 'Receiving objects')
      .map(([, percent]) => percent ?? 0);
    expect(receiving).toEqual([...receiving].sort((a, b) => a - b));
  });

  it('clones an absolute local path', async () => {
    const dest = freshDest();
    await cloneRepo({ url: remote.path, dest });
    expect(existsSync(join(dest, 'src/a.ts'))).toBe(true);
  });

  it('clones into an existing empty folder but refuses a non-empty one', async () => {
    const empty = freshDest();
    await mkdir(empty);
    await cloneRepo({ url: remote.url, dest: empty });
    expect(existsSync(join(empty, 'README.md'))).toBe(true);
    await expect(cloneRepo({ url: remote.url, dest: empty })).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses ext:: and other transports before running anything', async () => {
    const dest = freshDest();
    const marker = join(dir.path, 'pwned');
    for (const url of [
      `ext::sh -c touch% ${marker}`,
      'ext::touch',
      'fd::3',
      `--upload-pack=touch ${marker}`,
    ]) {
      await expect(cloneRepo({ url, dest })).rejects.toBeInstanceOf(BadRequestError);
    }
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(marker)).toBe(false);
  });

  it('says why a local source cannot be cloned: no such folder, or a folder that is not a repository', async () => {
    const plain = join(dir.path, 'plain-folder');
    await mkdir(join(plain, 'sub'), { recursive: true });
    await expect(checkLocalCloneSource(join(dir.path, 'nowhere'))).rejects.toThrow(/there is no such folder/);
    await expect(checkLocalCloneSource(plain)).rejects.toThrow(/a folder but not a git repository/);
    await expect(checkLocalCloneSource(`file://${plain}`)).rejects.toBeInstanceOf(BadRequestError);
    // A folder inside a repository is not one to clone either.
    await expect(checkLocalCloneSource(join(source.path, 'src'))).rejects.toThrow(/not a git repository/);
    // A file that is not a bundle is refused; a bundle passes.
    const notes = join(dir.path, 'notes.txt');
    await writeFile(notes, 'not a repository\n');
    await expect(checkLocalCloneSource(notes)).rejects.toThrow(/a file, not a git repository/);
    const bundle = join(dir.path, 'repo.bundle');
    await source.git(['bundle', 'create', '--quiet', bundle, '--all']);
    await checkLocalCloneSource(bundle);
    // A checkout, a bare repository and remote URLs pass (git has the last word on those).
    await checkLocalCloneSource(source.path);
    await checkLocalCloneSource(`file://${remote.path}`);
    await checkLocalCloneSource('https://example.com/o/r.git');
  });

  it('names git’s own failure, not its generic advice, when a clone fails', async () => {
    const error = await cloneRepo({ url: 'file:///nonexistent/chatml/repo.git', dest: freshDest() }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(GitError);
    expect((error as Error).message).toMatch(/^git clone failed: fatal: /);
    expect((error as Error).message).not.toContain('access rights');
  });

  it('removes the destination when the clone fails', async () => {
    const dest = freshDest();
    const error = await cloneRepo({ url: `file://${join(dir.path, 'missing.git')}`, dest }).catch((e) => e);
    expect(error).toBeInstanceOf(GitError);
    expect(existsSync(dest)).toBe(false);
  });

  it('stops and cleans up when aborted', async () => {
    const dest = freshDest();
    const controller = new AbortController();
    const cloning = cloneRepo({
      url: remote.url,
      dest,
      signal: controller.signal,
      // Abort once git itself has reported progress, i.e. while it is running.
      onProgress: (phase) => {
        if (phase !== 'Cloning') controller.abort(new Error('user cancelled'));
      },
    });
    await expect(cloning).rejects.toThrow('user cancelled');
    expect(existsSync(dest)).toBe(false);
  });

  it('fails the clone, and cleans up, when the progress listener throws', async () => {
    const dest = freshDest();
    const listenerError = new Error('listener broke');
    const cloning = cloneRepo({
      url: remote.url,
      dest,
      onProgress: (phase) => {
        if (phase !== 'Cloning') throw listenerError;
      },
    });
    await expect(cloning).rejects.toBe(listenerError);
    expect(existsSync(dest)).toBe(false);
  });

  it('keeps an empty destination folder, emptied, when the clone fails', async () => {
    const dest = freshDest();
    await mkdir(dest);
    await expect(cloneRepo({ url: `file://${join(dir.path, 'nothing.git')}`, dest })).rejects.toBeInstanceOf(
      GitError,
    );
    expect(await readdir(dest)).toEqual([]);
  });
});

describe('validateCloneUrl', () => {
  it.each([
    'https://github.com/owner/repo.git',
    'https://user@example.com:8443/owner/repo',
    'ssh://git@example.com/owner/repo.git',
    'ssh://git@example.com:2222/~/repo.git',
    'git@github.com:owner/repo.git',
    'deploy_user@host.example:path/to/repo',
    'file:///srv/git/repo.git',
    '/srv/git/repo.git',
  ])('accepts %s', (url) => {
    expect(validateCloneUrl(url)).toBe(url);
  });

  it.each([
    'ext::sh -c touch% /tmp/pwned',
    'ext::git-remote-evil',
    'fd::17',
    'foo::bar',
    '-uhttps://example.com/x',
    '--upload-pack=touch /tmp/pwned',
    'http://example.com/repo.git',
    'git://example.com/repo.git',
    'ftp://example.com/repo.git',
    'ssh://-oProxyCommand=touch%20pwned/repo',
    'ssh://-oProxyCommand=x@host/repo',
    'git@-oProxyCommand=x:repo',
    'https://example.com/a repo',
    'https://example.com/repo\n.git',
    'relative/path',
    './repo',
    '',
    'https://',
    'host:path',
  ])('refuses %j', (url) => {
    expect(() => validateCloneUrl(url)).toThrow(BadRequestError);
  });
});

describe('progress parsing', () => {
  it('ignores unrelated stderr chatter', async () => {
    // A warning on stderr must not be reported as a phase.
    const empty = await createTempRepo({ files: {} });
    try {
      const bare = await createBareRemote(empty);
      try {
        const progress: string[] = [];
        await cloneRepo({ url: bare.url, dest: freshDest(), onProgress: (phase) => progress.push(phase) });
        expect(progress).toEqual(['Cloning']);
      } finally {
        await bare.cleanup();
      }
    } finally {
      await empty.cleanup();
    }
  });
});
