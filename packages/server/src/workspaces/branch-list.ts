import type { Branch } from '@chatml/protocol';
import { runGit } from '../git/run-git.js';

/** More branches than anyone picks from; a repository with more lists its newest. */
const MAX_BRANCHES = 2000;

/**
 * The branches a session can start from: local branches, then remote-tracking ones (`origin/main`),
 * each newest commit first. Remote `HEAD` aliases are left out (they name another branch). Names are
 * what `CreateSessionBody.baseBranch` takes.
 *
 * @example
 * const branches = await listBranches('/home/me/project'); // [{ name: 'main', isRemote: false, … }, …]
 */
export async function listBranches(repoPath: string, signal?: AbortSignal): Promise<Branch[]> {
  const { stdout } = await runGit(
    [
      'for-each-ref',
      '--sort=-committerdate',
      `--count=${MAX_BRANCHES}`,
      '--format=%(refname)%00%(committerdate:unix)%00%(symref)',
      'refs/heads',
      'refs/remotes',
    ],
    { cwd: repoPath, signal },
  );
  const local: Branch[] = [];
  const remote: Branch[] = [];
  for (const line of stdout.split('\n')) {
    const [refname, committedAt, symref] = line.split('\0');
    if (!refname || symref) continue;
    const committedAtMs = Number(committedAt) * 1000;
    if (refname.startsWith('refs/heads/')) {
      local.push({ name: refname.slice('refs/heads/'.length), isRemote: false, committedAt: committedAtMs });
    } else if (refname.startsWith('refs/remotes/')) {
      remote.push({
        name: refname.slice('refs/remotes/'.length),
        isRemote: true,
        committedAt: committedAtMs,
      });
    }
  }
  return [...local, ...remote];
}
