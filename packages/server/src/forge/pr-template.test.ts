import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { findPullRequestTemplate } from './pr-template.js';

let dir: string;
let worktree: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chatml-pr-template-'));
  worktree = join(dir, 'worktree');
  mkdirSync(worktree);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('finds the template where GitHub looks, .github first', async () => {
  mkdirSync(join(worktree, '.github'));
  mkdirSync(join(worktree, 'docs'));
  writeFileSync(join(worktree, 'docs/PULL_REQUEST_TEMPLATE.md'), 'from docs\n');
  writeFileSync(join(worktree, '.github/pull_request_template.md'), '## What\n');
  expect(await findPullRequestTemplate(worktree)).toBe('## What\n');
});

it('takes the first file of a PULL_REQUEST_TEMPLATE folder', async () => {
  mkdirSync(join(worktree, '.github/PULL_REQUEST_TEMPLATE'), { recursive: true });
  writeFileSync(join(worktree, '.github/PULL_REQUEST_TEMPLATE/b.md'), 'b\n');
  writeFileSync(join(worktree, '.github/PULL_REQUEST_TEMPLATE/a.md'), 'a\n');
  expect(await findPullRequestTemplate(worktree)).toBe('a\n');
});

it('does not read a template through a folder symlinked out of the worktree', async () => {
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(dir, 'outside/pull_request_template.md'), 'SECRET FROM OUTSIDE\n');
  symlinkSync(join(dir, 'outside'), join(worktree, '.github'));
  expect(await findPullRequestTemplate(worktree)).toBeNull();
});
