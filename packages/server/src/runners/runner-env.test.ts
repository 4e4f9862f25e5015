import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTempRepo } from '@chatml/testkit';
import { expect, it } from 'vitest';
import { buildRunnerEnv } from './runner-env.js';

it('passes the agent only what it needs, and fences git’s repository search at the worktrees', () => {
  const env = buildRunnerEnv(
    {
      PATH: '/bin',
      HOME: '/home/u',
      ANTHROPIC_API_KEY: 'sk-x',
      AWS_SECRET_ACCESS_KEY: 'no',
      CHATML_LAUNCH_TOKEN: 'no',
    },
    { sessionId: 'ses_1', tmpDir: '/tmp/r', gitCeiling: '/data/worktrees' },
  );
  expect(env).toEqual({
    PATH: '/bin',
    HOME: '/home/u',
    ANTHROPIC_API_KEY: 'sk-x',
    CHATML_RUNNER_TMPDIR: '/tmp/r',
    CHATML_SESSION_ID: 'ses_1',
    GIT_CEILING_DIRECTORIES: '/data/worktrees',
  });
});

it('keeps an agent in a worktree that lost its .git out of the repository around it', async () => {
  // The data dir inside a repository (a home folder kept in git, say).
  const outer = await createTempRepo({ files: { 'README.md': 'dotfiles\n' } });
  try {
    const worktrees = join(outer.path, 'chatml', 'worktrees');
    const broken = join(worktrees, 'ws_1', 'lost-git');
    mkdirSync(broken, { recursive: true });
    const toplevel = (extra: NodeJS.ProcessEnv) =>
      spawnSync('git', ['rev-parse', '--show-toplevel'], {
        cwd: broken,
        env: { ...process.env, ...extra },
        encoding: 'utf8',
      });
    expect(toplevel({}).stdout.trim()).toBe(outer.path);
    const fenced = toplevel({
      GIT_CEILING_DIRECTORIES: buildRunnerEnv({}, { sessionId: 's', tmpDir: '/t', gitCeiling: worktrees })
        .GIT_CEILING_DIRECTORIES,
    });
    expect(fenced.status).not.toBe(0);
    expect(fenced.stderr).toContain('not a git repository');
  } finally {
    await outer.cleanup();
  }
});
