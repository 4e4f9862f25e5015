import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readRegularFile } from './read-regular-file.js';

let dir: string;
let root: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chatml-read-regular-'));
  root = join(dir, 'worktree');
  mkdirSync(join(root, 'src'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('reads a regular file inside the root, up to the limit', async () => {
  writeFileSync(join(root, 'src/app.ts'), 'export const app = 1;\n');
  expect((await readRegularFile(root, 'src/app.ts', 1024))?.toString()).toBe('export const app = 1;\n');
  expect((await readRegularFile(root, 'src/app.ts', 6))?.toString()).toBe('export');
  expect(await readRegularFile(root, 'src/missing.ts', 1024)).toBeNull();
});

it('does not block on a FIFO, or follow a symlink to a device', async () => {
  execFileSync('mkfifo', [join(root, 'pipe')]);
  symlinkSync('/dev/zero', join(root, 'zeros'));
  expect(await readRegularFile(root, 'pipe', 1024)).toBeNull();
  expect(await readRegularFile(root, 'zeros', 1024)).toBeNull();
});

it('does not leave the root through a symlinked folder or ..', async () => {
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(dir, 'outside/secret.md'), 'not for a pull request\n');
  symlinkSync(join(dir, 'outside'), join(root, '.github'));
  expect(await readRegularFile(root, '.github/secret.md', 1024)).toBeNull();
  expect(await readRegularFile(root, '../outside/secret.md', 1024)).toBeNull();
  // A symlinked folder that stays inside is fine.
  symlinkSync(join(root, 'src'), join(root, 'source'));
  writeFileSync(join(root, 'src/a.md'), 'a\n');
  expect((await readRegularFile(root, 'source/a.md', 1024))?.toString()).toBe('a\n');
});
