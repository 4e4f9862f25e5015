import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive, makeTempDir, type TempDir, waitUntil } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CredentialSource,
  envCredentialSource,
  ghCliCredentialSource,
  resolveGitHubToken,
} from './credentials.js';

describe('GitHub credential sources', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir('gh');
  });
  afterEach(() => dir.cleanup());

  async function script(name: string, body: string): Promise<string> {
    const path = join(dir.path, name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  }

  it('asks the sources in order: the store first, then GITHUB_TOKEN', async () => {
    const store: CredentialSource = { name: 'credential store', githubToken: async () => 'from-store' };
    const env = envCredentialSource({ GITHUB_TOKEN: 'from-env' });
    expect(await resolveGitHubToken([store, env], 'github.com')).toEqual({
      token: 'from-store',
      source: 'credential store',
    });
    const empty: CredentialSource = { name: 'empty', githubToken: async () => undefined };
    expect(await resolveGitHubToken([empty, env], 'github.com')).toEqual({
      token: 'from-env',
      source: 'GITHUB_TOKEN',
    });
    expect(await resolveGitHubToken([empty], 'github.com')).toBeUndefined();
  });

  it('reads `gh auth token --hostname <host>`', async () => {
    const gh = await script('gh', 'echo "token-for-$4"');
    expect(await ghCliCredentialSource({ command: gh }).githubToken('ghe.example.com')).toBe(
      'token-for-ghe.example.com',
    );
  });

  it('treats a missing gh or a failing one as no token', async () => {
    expect(
      await ghCliCredentialSource({ command: join(dir.path, 'no-such-gh') }).githubToken('github.com'),
    ).toBe(undefined);
    const failing = await script('gh-fails', 'echo "not logged in" >&2; exit 1');
    expect(await ghCliCredentialSource({ command: failing }).githubToken('github.com')).toBeUndefined();
  });

  it('kills a gh that hangs, with everything it started', async () => {
    const pidFile = join(dir.path, 'child.pid');
    const hanging = await script('gh-hangs', `sleep 60 & echo $! > ${pidFile}; wait`);
    expect(
      await ghCliCredentialSource({ command: hanging, timeoutMs: 300 }).githubToken('github.com'),
    ).toBeUndefined();
    const { readFile } = await import('node:fs/promises');
    const childPid = Number(await readFile(pidFile, 'utf8'));
    await waitUntil(() => !isAlive(childPid), { what: 'the sleep started by gh to be killed' });
  });
});
