import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorktreeFence } from '../src/worktree-fence.js';

let base: string;
let worktree: string;
let outside: string;
let fence: WorktreeFence;

beforeEach(async () => {
  base = mkdtempSync(path.join(tmpdir(), 'chatml-fence-'));
  worktree = path.join(base, 'worktree');
  outside = path.join(base, 'outside');
  mkdirSync(path.join(worktree, 'src'), { recursive: true });
  mkdirSync(outside);
  symlinkSync(outside, path.join(worktree, 'out-link'));
  symlinkSync(path.join(worktree, 'src'), path.join(worktree, 'src-link'));
  fence = await WorktreeFence.create(worktree);
});

afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('WorktreeFence', () => {
  it.each([
    ['a relative path', 'src/app.ts'],
    ['an absolute path inside', '/WT/src/app.ts'],
    ['a file in directories not created yet', '/WT/new/deeper/file.ts'],
    ['the worktree itself', '/WT'],
    ['a `..` that stays inside', '/WT/src/../README.md'],
    ['a symlink that points inside', '/WT/src-link/app.ts'],
  ])('lets %s through', async (_, target) => {
    expect(await fence.contains(target.replace('/WT', worktree))).toBe(true);
  });

  it.each([
    ['a `..` out of the worktree', '/WT/../escape.txt'],
    ['a relative `..`', '../escape.txt'],
    ['an absolute path elsewhere', '/etc/passwd'],
    ['a file behind a symlink to outside', '/WT/out-link/file.txt'],
    ['a new file below a symlink to outside', '/WT/out-link/new/dir/file.txt'],
    ['`..` after a symlink, as the kernel reads it', '/WT/out-link/../x.txt'],
    ['a path in the home directory', '~/notes.txt'],
    ['a sibling with the worktree name as prefix', '/WT-other/file.txt'],
  ])('stops %s', async (_, target) => {
    expect(await fence.contains(target.replace('/WT', worktree))).toBe(false);
  });

  it('resolves the worktree itself when it is reached through a symlink', async () => {
    const alias = path.join(base, 'alias');
    symlinkSync(worktree, alias);
    const aliased = await WorktreeFence.create(alias);
    expect(await aliased.contains(path.join(worktree, 'src/app.ts'))).toBe(true);
    expect(await aliased.contains(path.join(alias, 'src/app.ts'))).toBe(true);
    expect(await aliased.contains(path.join(alias, 'out-link/x'))).toBe(false);
  });

  it('checks file_path, path and notebook_path, and nothing else', async () => {
    expect(await fence.findEscape({ file_path: '/etc/hosts', content: 'x' })).toEqual({
      field: 'file_path',
      value: '/etc/hosts',
    });
    expect(await fence.findEscape({ pattern: '*.ts', path: outside })).toMatchObject({ field: 'path' });
    expect(await fence.findEscape({ notebook_path: '../n.ipynb' })).toMatchObject({ field: 'notebook_path' });
    expect(await fence.findEscape({ command: 'cat /etc/passwd', description: '/etc' })).toBeUndefined();
    expect(await fence.findEscape({ file_path: path.join(worktree, 'ok.txt') })).toBeUndefined();
  });

  it('reads ~ as the home directory, which is outside the worktree', async () => {
    expect(homedir()).not.toBe('');
    expect(await fence.contains('~')).toBe(false);
  });
});
