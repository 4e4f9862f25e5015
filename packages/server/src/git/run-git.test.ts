import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTempRepo, listProcesses, type TempRepo, waitUntil } from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError } from '../errors.js';
import { runGit, runGitStreaming } from './run-git.js';

let repo: TempRepo;
beforeAll(async () => {
  repo = await createTempRepo({ files: { 'a.txt': 'a\n' } });
});
afterAll(async () => {
  await repo.cleanup();
});

describe('runGit', () => {
  it('returns stdout of a successful command', async () => {
    const { stdout, exitCode } = await runGit(['rev-parse', '--show-toplevel'], { cwd: repo.path });
    expect(stdout.trim()).toBe(repo.path);
    expect(exitCode).toBe(0);
  });

  it('says a missing working folder is missing, not that git cannot start', async () => {
    const error = await runGit(['status'], { cwd: join(repo.path, 'moved-away') }).catch((e) => e);
    expect(error).toBeInstanceOf(GitError);
    expect(error.message).toContain(
      `the folder ${join(repo.path, 'moved-away')} does not exist (moved or deleted?)`,
    );
    expect(error.message).not.toContain('could not start git');
  });

  it('throws GitError with exit code and stderr on failure', async () => {
    const error = await runGit(['rev-parse', '--verify', 'no-such-ref'], { cwd: repo.path }).catch((e) => e);
    expect(error).toBeInstanceOf(GitError);
    expect(error.exitCode).toBe(128);
    expect(error.stderr).toMatch(/Needed a single revision/);
    expect(error.message).toMatch(/^git rev-parse failed/);
  });

  it('treats okExitCodes as answers, not failures', async () => {
    const result = await runGit(['show-ref', '--verify', '--quiet', 'refs/heads/nope'], {
      cwd: repo.path,
      okExitCodes: [0, 1],
    });
    expect(result.exitCode).toBe(1);
  });

  it('passes arguments verbatim, without a shell', async () => {
    const hostile = "x; touch pwned && echo $(id) 'quoted'";
    // --sq-quote echoes its arguments shell-quoted: one argument in, the same one argument out.
    const { stdout } = await runGit(['rev-parse', '--sq-quote', hostile], { cwd: repo.path });
    expect(stdout.trim()).toBe(`'x; touch pwned && echo $(id) '\\''quoted'\\'''`);
    expect(existsSync(join(repo.path, 'pwned'))).toBe(false);
  });

  it('writes input to stdin', async () => {
    const { stdout } = await runGit(['hash-object', '-w', '--stdin'], { cwd: repo.path, input: 'hello\n' });
    const { stdout: content } = await runGit(['cat-file', '-p', stdout.trim()], { cwd: repo.path });
    expect(content).toBe('hello\n');
  });

  it('sets a non-interactive, untranslated environment and ignores an inherited GIT_DIR', async () => {
    const previous = process.env.GIT_DIR;
    process.env.GIT_DIR = '/nonexistent/.git';
    try {
      const { stdout } = await runGit(['var', 'GIT_EDITOR'], {
        cwd: repo.path,
        env: { GIT_EDITOR: 'true' },
      });
      expect(stdout.trim()).toBe('true');
      const { stdout: printed } = await runGit(['-c', 'alias.env=!env', 'env'], { cwd: repo.path });
      expect(printed).toMatch(/^GIT_TERMINAL_PROMPT=0$/m);
      expect(printed).toMatch(/^GIT_OPTIONAL_LOCKS=0$/m);
      expect(printed).toMatch(/^LC_ALL=C$/m);
      expect(printed).not.toMatch(/nonexistent/);
    } finally {
      if (previous === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = previous;
    }
  });

  it('applies per-command config without changing args[0]', async () => {
    const { stdout } = await runGit(['config', '--get', 'chatml.test'], {
      cwd: repo.path,
      config: { 'chatml.test': 'yes' },
    });
    expect(stdout.trim()).toBe('yes');
  });

  it('stops git and throws when output exceeds maxBuffer', async () => {
    const error = await runGit(['log', '-p'], { cwd: repo.path, maxBuffer: 10 }).catch((e) => e);
    expect(error).toBeInstanceOf(GitError);
    expect(error.message).toMatch(/exceeded 10 bytes/);
  });

  it('rejects with the abort reason when aborted', async () => {
    const controller = new AbortController();
    // The alias runs `sleep 30` in a child of git: only killing the process group ends it early.
    const running = runGit(['-c', 'alias.wait=!sleep 30', 'wait'], {
      cwd: repo.path,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('stop now')), 100);
    const started = Date.now();
    await expect(running).rejects.toThrow('stop now');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('rejects at once for an already aborted signal', async () => {
    await expect(
      runGit(['status'], { cwd: repo.path, signal: AbortSignal.abort(new Error('already')) }),
    ).rejects.toThrow('already');
  });

  it('reports a missing working directory as a GitError', async () => {
    await expect(runGit(['status'], { cwd: join(repo.path, 'missing') })).rejects.toBeInstanceOf(GitError);
  });
});

describe('runGitStreaming', () => {
  it('reports stderr lines split on \\r and \\n', async () => {
    const lines: string[] = [];
    await runGitStreaming(['-c', "alias.noise=!printf 'one\\rtwo\\nthree' >&2", 'noise'], {
      cwd: repo.path,
      onStderrLine: (line) => lines.push(line),
    });
    expect(lines).toEqual(['one', 'two', 'three']);
  });
});

describe('a git command that dies with the backend', () => {
  const built = fileURLToPath(new URL('../../dist/git/run-git.js', import.meta.url));

  it('passes output and exit code through while the backend lives', async () => {
    const { stdout } = await runGit(['rev-parse', '--show-toplevel'], {
      cwd: repo.path,
      diesWithBackend: true,
    });
    expect(stdout.trim()).toBe(repo.path);
    const failed = await runGit(['rev-parse', '--verify', 'no-such-ref'], {
      cwd: repo.path,
      diesWithBackend: true,
      okExitCodes: [0, 128],
    });
    expect(failed.exitCode).toBe(128);
  });

  it('is stopped, helpers and all, when the backend is killed with SIGKILL', async () => {
    // A "backend" that runs a git command which would take 30 s (an alias running sleep).
    const script = `import { runGit } from ${JSON.stringify(built)};
      runGit(['nap'], { cwd: ${JSON.stringify(repo.path)}, config: { 'alias.nap': '!sleep 29' }, diesWithBackend: true });
      setInterval(() => {}, 1000);`;
    const backend = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    // Between fork and setsid the child is still in the backend's group: wait until it leads its own.
    const leader = () => listProcesses().find((info) => info.ppid === backend.pid && info.pgrp === info.pid);
    const members = (group: number) => listProcesses().filter((info) => info.pgrp === group);
    let group = -1;
    try {
      await waitUntil(() => leader() !== undefined, { timeoutMs: 10_000, what: 'git started' });
      group = leader()?.pgrp ?? -1;
      await waitUntil(() => members(group).some((info) => info.comm === 'sleep'), {
        timeoutMs: 10_000,
        what: 'the alias running',
      });
    } finally {
      // Killed whatever happened above: a failed wait must not leave the stand-in backend running.
      backend.kill('SIGKILL');
    }
    await waitUntil(() => members(group).length === 0, { timeoutMs: 5_000, what: 'git’s group gone' });
  });
});
