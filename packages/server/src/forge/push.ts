import { GitError } from '../errors.js';
import { runGit } from '../git/run-git.js';
import { ForgeAuthError, PushRejectedError } from './forge-errors.js';
import { type GitRemote, redactCredentials } from './remote.js';

export interface PushOptions {
  /** The session's worktree (it shares refs and remotes with the workspace's repository). */
  worktreePath: string;
  remote: GitRemote;
  branch: string;
  /** `--force-with-lease`: overwrite the remote branch only if it is still where this clone last saw it. */
  force?: boolean;
  signal?: AbortSignal;
}

export interface PushResult {
  remote: string;
  branch: string;
  sha: string;
  isUpdated: boolean;
  isForced: boolean;
}

/** Default time a push may take before it is stopped (a hung connection must not hang the request). */
const PUSH_TIMEOUT_MS = 120_000;

const AUTH_FAILURE =
  /Authentication failed|could not read (Username|Password)|terminal prompts disabled|Permission denied|Access denied|returned error: 40[13]|Invalid username or password|Host key verification failed/i;

/**
 * `git push <remote> refs/heads/<branch>:refs/heads/<branch>` from the session's worktree. Git runs
 * with `GIT_TERMINAL_PROMPT=0` in its own session (no terminal to ask on), so missing credentials
 * fail fast; the user's credential helpers and SSH agent still work. Messages never carry
 * credentials embedded in remote URLs.
 */
export async function pushBranch(options: PushOptions): Promise<PushResult> {
  const { worktreePath, remote, branch } = options;
  const ref = `refs/heads/${branch}`;
  const sha = (
    await runGit(['rev-parse', '--verify', `${ref}^{commit}`], { cwd: worktreePath })
  ).stdout.trim();
  const args = [
    'push',
    '--porcelain',
    ...(options.force ? [`--force-with-lease=${ref}`] : []),
    remote.name,
    `${ref}:${ref}`,
  ];
  const signal = options.signal ?? AbortSignal.timeout(PUSH_TIMEOUT_MS);
  let result: Awaited<ReturnType<typeof runGit>>;
  try {
    result = await runGit(args, { cwd: worktreePath, okExitCodes: [0, 1], signal });
  } catch (error) {
    if (error instanceof GitError) throw classifyFailure(error.stderr, remote);
    throw error;
  }
  // Porcelain: `<flag>\t<from>:<to>\t<summary> (<reason>)` — flag `*` new, ` ` fast-forward,
  // `+` forced, `=` up to date, `!` rejected.
  const line = result.stdout.split('\n').find((candidate) => candidate.includes(`\t${ref}:${ref}\t`));
  const flag = line?.[0];
  if (result.exitCode === 0 && flag !== undefined && flag !== '!') {
    return { remote: remote.name, branch, sha, isUpdated: flag !== '=', isForced: flag === '+' };
  }
  const reason = /\[rejected\] \(([^)]+)\)|\[remote rejected\] \(([^)]+)\)/.exec(line ?? '');
  if (reason?.[1] === 'non-fast-forward' || reason?.[1] === 'fetch first')
    throw new PushRejectedError(
      `The remote branch ${branch} on ${remote.name} has commits this session does not have (non-fast-forward). Bring them in first, or push with force: true to overwrite it (uses --force-with-lease).`,
    );
  if (reason?.[1] === 'stale info')
    throw new PushRejectedError(
      `Refused to overwrite ${branch} on ${remote.name}: it changed since this clone last saw it (--force-with-lease). Fetch and look at the new commits first.`,
    );
  if (reason?.[2])
    throw new PushRejectedError(
      `${remote.name} refused the push of ${branch}: ${redactCredentials(reason[2])}`,
    );
  throw classifyFailure(result.stderr, remote);
}

function classifyFailure(stderr: string, remote: GitRemote): Error {
  const detail = redactCredentials(stderr.trim().split('\n').slice(-3).join(' ')).slice(0, 500);
  if (AUTH_FAILURE.test(stderr))
    return new ForgeAuthError(
      `${remote.name} refused the credentials git has for it (${redactCredentials(remote.url)}). Check that \`git push\` works in a terminal (credential helper, SSH key or gh auth setup-git). git said: ${detail}`,
    );
  return new PushRejectedError(`git push to ${remote.name} failed: ${detail}`);
}
