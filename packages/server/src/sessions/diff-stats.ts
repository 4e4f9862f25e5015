import type { DiffStats } from '@chatml/protocol';
import { BadRequestError, ConflictError } from '../errors.js';
import { isMergedIntoBase } from '../git/commits.js';
import { validateBranchName } from '../git/ref-names.js';
import { runGit } from '../git/run-git.js';
import { withSnapshotIndex } from '../git/snapshot-index.js';

/**
 * The size of a session's change — files, added and deleted lines — measured like its diff
 * (`GET /sessions/:id/diff`): the whole working tree, untracked files included, against the
 * merge-base with the base branch. Only `--numstat` is asked for, so no patch text is produced.
 * Binary files count as changed files with no lines. `mergedIntoBase` is set when the branch's
 * commits are in the base already (a squash merge), so a session list can say so.
 *
 * @example
 * const { files, additions, deletions } = await measureDiffStats({ worktreePath, baseBranch: 'main' });
 */
export async function measureDiffStats(options: {
  worktreePath: string;
  baseBranch: string;
  signal?: AbortSignal;
}): Promise<DiffStats> {
  const { worktreePath, signal } = options;
  const baseBranch = await validateBranchName(options.baseBranch);
  const mergeBase = await mergeBaseOf(worktreePath, baseBranch, signal);
  const output = await withSnapshotIndex(
    worktreePath,
    async ({ env }) =>
      (
        await runGit(
          [
            'diff',
            '--cached',
            '--numstat',
            '-z',
            // As the diff finds them, so a renamed file counts once, with its own lines.
            '--find-renames',
            '--no-ext-diff',
            '--no-textconv',
            mergeBase,
          ],
          { cwd: worktreePath, env: { ...env }, signal },
        )
      ).stdout,
    signal,
  );
  const stats = parseNumstat(output);
  const mergedIntoBase = await isMergedIntoBase(worktreePath, 'HEAD', baseBranch, signal);
  return mergedIntoBase ? { ...stats, mergedIntoBase } : stats;
}

/**
 * `--numstat -z` records: `added\tdeleted\tpath\0` (`-\t-\t` for binary files), and for a rename
 * or copy `added\tdeleted\t\0old path\0new path\0` — an empty path followed by the two paths.
 */
export function parseNumstat(output: string): DiffStats {
  const stats: DiffStats = { files: 0, additions: 0, deletions: 0 };
  const records = output.split('\0');
  for (let i = 0; i < records.length; i += 1) {
    const match = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(records[i] as string);
    if (!match) continue;
    stats.files += 1;
    if (match[1] !== '-') stats.additions += Number(match[1]);
    if (match[2] !== '-') stats.deletions += Number(match[2]);
    if (match[3] === '') i += 2; // the rename's two paths, which could look like records themselves
  }
  return stats;
}

async function mergeBaseOf(worktreePath: string, baseBranch: string, signal?: AbortSignal): Promise<string> {
  const base = await runGit(['rev-parse', '-q', '--verify', '--end-of-options', `${baseBranch}^{commit}`], {
    cwd: worktreePath,
    okExitCodes: [0, 1],
    signal,
  });
  if (base.exitCode !== 0) throw new BadRequestError(`The base branch ${baseBranch} does not exist.`);
  const result = await runGit(['merge-base', '--end-of-options', 'HEAD', base.stdout.trim()], {
    cwd: worktreePath,
    okExitCodes: [0, 1],
    signal,
  });
  if (result.exitCode !== 0) throw new ConflictError(`The session shares no history with ${baseBranch}.`);
  return result.stdout.trim();
}
