import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SettingsFile } from './settings-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chatml-settings-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('saves 0600 even under a umask that would take the owner’s write bit, and leaves no temp file', async () => {
  const file = new SettingsFile(join(dir, 'settings.json'));
  const umask = process.umask(0o277);
  try {
    await file.update((json) => ({ ...json, defaultModel: 'opus' }));
  } finally {
    process.umask(umask);
  }
  expect(statSync(join(dir, 'settings.json')).mode & 0o777).toBe(0o600);
  expect(readdirSync(dir)).toEqual(['settings.json']);
  expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe('{\n  "defaultModel": "opus"\n}\n');
});

it('keeps a settings.json that links elsewhere a link, and saves into the file it names', async () => {
  mkdirSync(join(dir, 'dotfiles'));
  writeFileSync(join(dir, 'dotfiles', 'chatml.json'), '{"runnerNiceness": 3}');
  symlinkSync(join(dir, 'dotfiles', 'chatml.json'), join(dir, 'settings.json'));
  const saved = await new SettingsFile(join(dir, 'settings.json')).update((json) => ({
    ...json,
    archiveAfterMerge: true,
  }));
  expect(saved).toEqual({ runnerNiceness: 3, archiveAfterMerge: true });
  expect(lstatSync(join(dir, 'settings.json')).isSymbolicLink()).toBe(true);
  expect(JSON.parse(readFileSync(join(dir, 'dotfiles', 'chatml.json'), 'utf8'))).toEqual(saved);
  expect(readdirSync(join(dir, 'dotfiles'))).toEqual(['chatml.json']);
});
