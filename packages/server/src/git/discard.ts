import type { DiscardResponse } from '@chatml/protocol';
import { literalPathspec, validateRepoPath } from './repo-paths.js';
import { runGit } from './run-git.js';

/**
 * Throws away the uncommitted changes of `paths` in a worktree: what HEAD has is restored (index
 * and file, so staged edits and deletions go too), what HEAD lacks is unstaged and deleted. Ignored
 * files and nested repositories are never deleted (`git clean` without `-x` and without a second
 * `-f`), and git refuses paths that lead through a symbolic link. A folder discards everything
 * under it. Paths are checked before anything runs (validateRepoPath).
 *
 * @example
 * await discardChanges({ worktreePath, paths: ['src/app.ts', 'notes.txt'] });
 */
export async function discardChanges(options: {
  worktreePath: string;
  paths: readonly string[];
}): Promise<DiscardResponse> {
  const { worktreePath } = options;
  const paths = [...new Set(options.paths.map(validateRepoPath))];
  // One process tells, for every path, whether HEAD has it (as a file or a folder).
  const { stdout } = await runGit(['cat-file', '--batch-check=%(objecttype)'], {
    cwd: worktreePath,
    input: paths.map((path) => `HEAD:${path}\n`).join(''),
  });
  const answers = stdout.split('\n');
  const inHead = paths.filter((_, index) => !answers[index]?.endsWith('missing'));
  const notInHead = paths.filter((_, index) => answers[index]?.endsWith('missing'));

  if (inHead.length > 0) {
    await runGit(
      ['restore', '--source=HEAD', '--staged', '--worktree', '--', ...inHead.map(literalPathspec)],
      { cwd: worktreePath },
    );
  }
  if (notInHead.length > 0) {
    // Staged new files: unstage first, so that `clean` sees them as the untracked files they are.
    await runGit(
      ['rm', '-r', '--cached', '--quiet', '--ignore-unmatch', '--', ...notInHead.map(literalPathspec)],
      { cwd: worktreePath },
    );
  }
  // Untracked leftovers, also inside restored folders (a new file under a tracked folder).
  const cleaned = await runGit(['clean', '-f', '-d', '--', ...paths.map(literalPathspec)], {
    cwd: worktreePath,
    config: { 'core.quotePath': 'false' },
  });
  const deleted = cleaned.stdout
    .split('\n')
    .filter((line) => line.startsWith('Removing '))
    .map((line) => line.slice('Removing '.length).replace(/\/$/, ''));
  return { restored: inHead, deleted };
}
