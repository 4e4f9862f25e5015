import { spawn } from 'node:child_process';

/**
 * Environment for every git command the testkit runs: the machine's global and system config are
 * ignored (CI runs as root with no identity; a developer may have hooks, signing or `diff.noprefix`),
 * and git never prompts.
 */
export function isolatedGitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Variables that would point git at some other repository (e.g. when tests run inside a git hook).
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX']) {
    delete env[name];
  }
  return {
    ...env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
  };
}

/** Identity for commits made by test helpers, passed as `-c` so no config file is needed. */
export const TEST_IDENTITY_ARGS = [
  '-c',
  'user.name=ChatML Test',
  '-c',
  'user.email=test@chatml.invalid',
  '-c',
  'commit.gpgsign=false',
] as const;

/** Runs `git <args>` in `cwd` (argument array, no shell); resolves with stdout, rejects with stderr. */
export function execGit(cwd: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...TEST_IDENTITY_ARGS, ...args], {
      cwd,
      env: isolatedGitEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) {
        resolve(Buffer.concat(stdout).toString('utf8'));
        return;
      }
      // Some failures (e.g. "nothing to commit") are reported on stdout only.
      const message = (
        Buffer.concat(stderr).toString('utf8') || Buffer.concat(stdout).toString('utf8')
      ).trim();
      reject(new Error(`git ${args.join(' ')} (in ${cwd}) failed with ${code ?? signal}: ${message}`));
    });
    // The child may exit before reading all of stdin; the exit code tells what happened.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}
