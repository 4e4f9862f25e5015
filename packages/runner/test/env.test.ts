import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildChildEnv } from '../src/env.js';

describe('buildChildEnv', () => {
  it('passes what the CLI needs and nothing else', () => {
    const env = buildChildEnv({
      PATH: '/usr/bin',
      HOME: '/home/dev',
      LANG: 'C.UTF-8',
      ANTHROPIC_API_KEY: 'sk-ant-secret',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      CLAUDE_CONFIG_DIR: '/home/dev/.claude',
      IS_SANDBOX: '1',
      CHATML_TOKEN: 'launch-token',
      GITHUB_TOKEN: 'ghp_secret',
      NODE_OPTIONS: '--inspect',
      EMPTY: '',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/dev',
      LANG: 'C.UTF-8',
      ANTHROPIC_API_KEY: 'sk-ant-secret',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      CLAUDE_CONFIG_DIR: '/home/dev/.claude',
      IS_SANDBOX: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    });
  });

  it('hands the CLI the backend’s fence on git’s repository search', () => {
    const env = buildChildEnv({ PATH: '/usr/bin', GIT_CEILING_DIRECTORIES: '/data/worktrees' });
    expect(env.GIT_CEILING_DIRECTORIES).toBe('/data/worktrees');
  });

  it('puts the CLI scratch files in CHATML_RUNNER_TMPDIR, creating it', () => {
    const base = mkdtempSync(path.join(tmpdir(), 'chatml-env-'));
    const scratch = path.join(base, 'runner', 'tmp');
    try {
      const env = buildChildEnv({ PATH: '/usr/bin', TMPDIR: '/tmp', CHATML_RUNNER_TMPDIR: scratch });
      expect(env.TMPDIR).toBe(scratch);
      expect(env.CLAUDE_CODE_TMPDIR).toBe(scratch);
      expect(existsSync(scratch)).toBe(true);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
