import { describe, expect, it } from 'vitest';
import { CreateSessionBody, CreateWorkspaceBody, UpdateSessionBody } from './api.js';
import { Settings } from './config.js';
import { UpdateSettingsBody } from './settings-api.js';

describe('what the API and the settings file refuse up front', () => {
  it('takes model names and aliases, never an option', () => {
    for (const model of ['opus', 'claude-opus-4-1-20250805', 'sonnet[1m]', 'arn:aws:bedrock:us-east-1:1:x/y'])
      expect(UpdateSessionBody.safeParse({ model }).success).toBe(true);
    for (const model of ['--help', '-x', 'two words', '', 'x\u0000y', 'tab\there', '\u001b[31m'])
      expect(CreateSessionBody.safeParse({ model }).success).toBe(false);
    expect(Settings.safeParse({ defaultModel: '' }).success).toBe(false);
    expect(UpdateSettingsBody.safeParse({ defaultModel: '--help' }).success).toBe(false);
  });

  it('changes only the settings the Settings screen edits, and null clears the default model', () => {
    expect(UpdateSettingsBody.safeParse({ defaultModel: null, archiveAfterMerge: true }).success).toBe(true);
    expect(UpdateSettingsBody.safeParse({ anthropicBaseUrl: 'https://evil.example' }).success).toBe(false);
    expect(UpdateSettingsBody.safeParse({ archiveAfterMerge: null }).success).toBe(false);
  });

  it('takes a clone’s folder name, not a path', () => {
    expect(CreateWorkspaceBody.safeParse({ cloneUrl: 'https://x/r.git', name: 'r2' }).success).toBe(true);
    for (const name of ['../../tmp/escaped', 'a/b', '..', 'a\\b'])
      expect(CreateWorkspaceBody.safeParse({ cloneUrl: 'https://x/r.git', name }).success).toBe(false);
  });

  it('refuses an idle-runner timeout longer than a timer can wait (it would fire at once)', () => {
    expect(Settings.safeParse({ idleRunnerTimeoutMs: 24 * 3600_000 }).success).toBe(true);
    expect(Settings.safeParse({ idleRunnerTimeoutMs: 3e9 }).success).toBe(false);
  });
});
