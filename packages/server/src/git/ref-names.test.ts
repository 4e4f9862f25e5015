import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempRepo, makeTempDir } from '@chatml/testkit';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidNameError } from '../errors.js';
import { archiveRef, sessionBranch, validateBranchName } from './ref-names.js';
import { runGit } from './run-git.js';
import { WorktreeManager } from './worktree-manager.js';

// Spy on every git the server would start, to prove that refused names start none.
vi.mock('./run-git.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./run-git.js')>();
  return { ...actual, runGit: vi.fn(actual.runGit) };
});

beforeEach(() => {
  vi.mocked(runGit).mockClear();
});

const HOSTILE_NAMES = [
  'x;touch pwn',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell expansion is the attack.
  'x;touch${IFS}pwn',
  '$(touch pwn)',
  '`touch pwn`',
  'a|b',
  'a&b',
  '../x',
  'x/../y',
  '-rf',
  '--upload-pack=touch pwn',
  'a..b',
  'with space',
  'tab\tname',
  'new\nline',
  'nul\u0000byte',
  'bell\u0007',
  'zero\u200bwidth',
  'x@{1}',
  '@',
  'HEAD',
  'a~1',
  'a^',
  'a:b',
  'what?',
  'star*',
  '[bracket',
  'back\\slash',
  '/leading',
  'trailing/',
  'double//slash',
  '.hidden',
  'x/.hidden',
  'ends.',
  'name.lock',
  'dir.lock/x',
  '',
  'x'.repeat(201),
];

describe('validateBranchName', () => {
  it.each([
    'main',
    'chatml/brave-otter',
    'feature/JIRA-123_fix',
    'release+1.2',
    'origin/main',
    'ünïcode/ветка',
  ])('accepts %j', async (name) => {
    expect(await validateBranchName(name)).toBe(name);
  });

  it.each(HOSTILE_NAMES)('refuses %j without running anything', async (name) => {
    await expect(validateBranchName(name)).rejects.toBeInstanceOf(InvalidNameError);
    expect(runGit).not.toHaveBeenCalled();
  });

  it('explains the problem in the message', async () => {
    await expect(validateBranchName('x;touch pwn')).rejects.toThrow(/spaces or control characters/);
    await expect(validateBranchName('a;b')).rejects.toThrow(/contains ";"/);
    await expect(validateBranchName('-rf')).rejects.toThrow(/starts with "-"/);
  });
});

describe('refused names through WorktreeManager', () => {
  it('creates nothing and runs nothing for a hostile branch or base branch', async () => {
    const repo = await createTempRepo();
    const data = await makeTempDir('data');
    try {
      const refsBefore = await repo.git(['for-each-ref']);
      const manager = new WorktreeManager();
      for (const name of ['x;touch pwn', '../x', '-rf', 'a..b', 'x@{1}']) {
        const worktreePath = join(data.path, 'worktrees', 'session');
        await expect(
          manager.create({ repoPath: repo.path, worktreePath, branch: name, baseBranch: 'main' }),
        ).rejects.toBeInstanceOf(InvalidNameError);
        await expect(
          manager.create({ repoPath: repo.path, worktreePath, branch: 'chatml/ok', baseBranch: name }),
        ).rejects.toBeInstanceOf(InvalidNameError);
      }
      // The only git started is the check of the valid name 'chatml/ok' next to a hostile base.
      const started = vi.mocked(runGit).mock.calls.map(([args]) => args.join(' '));
      expect(new Set(started)).toEqual(new Set(['check-ref-format --branch chatml/ok']));
      expect(await repo.git(['for-each-ref'])).toBe(refsBefore);
      expect(await readdir(data.path)).toEqual([]);
      expect(existsSync(join(repo.path, 'pwn'))).toBe(false);
      expect(await repo.git(['worktree', 'list', '--porcelain'])).not.toMatch(/session/);
    } finally {
      await data.cleanup();
      await repo.cleanup();
    }
  });
});

describe('sessionBranch', () => {
  it('puts the session name under chatml/', () => {
    expect(sessionBranch('brave-otter')).toBe('chatml/brave-otter');
  });

  it.each(['', 'a b', 'x;y', '-x', '../x', 'a/b', 'a..b', 'x.lock', 'x'.repeat(61)])('refuses %j', (name) => {
    expect(() => sessionBranch(name)).toThrow(InvalidNameError);
  });
});

describe('archiveRef', () => {
  it('names the archive ref of a session', () => {
    expect(archiveRef('ses_01HX')).toBe('refs/chatml/archive/ses_01HX');
  });

  it.each(['', '../x', 'a/b', '-x', 'a b'])('refuses session id %j', (sessionId) => {
    expect(() => archiveRef(sessionId)).toThrow(InvalidNameError);
  });
});
