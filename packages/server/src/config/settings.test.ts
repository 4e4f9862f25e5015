import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Logger } from '../logger.js';
import { loadSettings } from './settings.js';

let dir: string;
let warnings: string[];
const logger: Logger = { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chatml-settings-'));
  warnings = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('starts with defaults, quietly, when there is no settings.json', () => {
  expect(loadSettings(join(dir, 'settings.json'), logger)).toEqual({});
  expect(warnings).toEqual([]);
});

it.each([
  [
    'not JSON',
    '{"defaultModel": "opus",}',
    /settings\.json is not valid JSON \(.+\); using default settings$/,
  ],
  ['out of range', '{"runnerNiceness": 20}', /settings\.json: runnerNiceness: .+; using default settings$/],
])('starts with defaults when settings.json is %s, saying why in the log', (_name, text, warning) => {
  writeFileSync(join(dir, 'settings.json'), text);
  expect(loadSettings(join(dir, 'settings.json'), logger)).toEqual({});
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(warning);
});

it('reads a valid file', () => {
  writeFileSync(join(dir, 'settings.json'), '{"defaultModel": "opus", "archiveAfterMerge": true}');
  expect(loadSettings(join(dir, 'settings.json'), logger)).toEqual({
    defaultModel: 'opus',
    archiveAfterMerge: true,
  });
});
