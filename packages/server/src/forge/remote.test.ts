import { createTempRepo, type TempRepo } from '@chatml/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseRemote, parseRemoteUrl, redactCredentials, toGitHubRepo } from './remote.js';

describe('parseRemoteUrl', () => {
  it.each([
    ['https://github.com/acme/widgets.git', 'github.com'],
    ['https://github.com/acme/widgets', 'github.com'],
    ['https://x-access-token:secret@github.com/acme/widgets.git', 'github.com'],
    ['git@github.com:acme/widgets.git', 'github.com'],
    ['ssh://git@github.com/acme/widgets.git', 'github.com'],
    ['ssh://git@ghe.example.com:2222/acme/widgets', 'ghe.example.com'],
    ['git@ghe.example.com:acme/widgets.git', 'ghe.example.com'],
  ])('reads owner and repo from %s', (url, host) => {
    expect(parseRemoteUrl(url)).toEqual({ host, owner: 'acme', repo: 'widgets' });
  });

  it.each([
    '/srv/git/widgets.git',
    'file:///srv/git/widgets.git',
    'https://gitlab.com/group/sub/widgets.git',
    'ext::sh -c touch% /tmp/pwn',
  ])('refuses %s', (url) => {
    expect(parseRemoteUrl(url)).toBeNull();
  });
});

describe('toGitHubRepo', () => {
  it('uses api.github.com for github.com and the configured API for any other host', () => {
    expect(toGitHubRepo({ name: 'origin', url: 'git@github.com:acme/w.git' }, undefined).apiBaseUrl).toBe(
      'https://api.github.com',
    );
    expect(
      toGitHubRepo(
        { name: 'origin', url: 'https://ghe.example.com/acme/w.git' },
        'https://ghe.example.com/api/v3/',
      ).apiBaseUrl,
    ).toBe('https://ghe.example.com/api/v3');
  });

  it('refuses a host nobody said is GitHub, without echoing credentials', () => {
    expect(() =>
      toGitHubRepo({ name: 'origin', url: 'https://me:hunter2@gitlab.com/acme/w.git' }, undefined),
    ).toThrow(/not a GitHub repository.*githubApiUrl/);
    try {
      toGitHubRepo({ name: 'origin', url: 'https://me:hunter2@gitlab.com/acme/w.git' }, undefined);
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('redacts user info in any text', () => {
    expect(redactCredentials("fatal: unable to access 'https://me:tok@github.com/a/b.git/'")).toBe(
      "fatal: unable to access 'https://***@github.com/a/b.git/'",
    );
  });
});

describe('chooseRemote', () => {
  let repo: TempRepo;
  afterEach(() => repo.cleanup());

  it("prefers the base branch's upstream remote, then origin, then the only remote", async () => {
    repo = await createTempRepo();
    await expect(chooseRemote(repo.path, 'main')).rejects.toMatchObject({ code: 'no_remote' });

    await repo.git(['remote', 'add', 'fork', 'https://github.com/me/w.git']);
    expect(await chooseRemote(repo.path, 'main')).toEqual({
      name: 'fork',
      url: 'https://github.com/me/w.git',
    });

    await repo.git(['remote', 'add', 'origin', 'https://github.com/acme/w.git']);
    expect((await chooseRemote(repo.path, 'main')).name).toBe('origin');

    await repo.git(['config', 'branch.main.remote', 'fork']);
    expect((await chooseRemote(repo.path, 'main')).name).toBe('fork');
    // A remote-tracking base names its remote itself.
    expect((await chooseRemote(repo.path, 'origin/main')).name).toBe('origin');
  });

  it('refuses to guess between several remotes when none is origin', async () => {
    repo = await createTempRepo();
    await repo.git(['remote', 'add', 'a', 'https://github.com/a/w.git']);
    await repo.git(['remote', 'add', 'b', 'https://github.com/b/w.git']);
    await expect(chooseRemote(repo.path, 'main')).rejects.toThrow(/several remotes \(a, b\)/);
  });
});
