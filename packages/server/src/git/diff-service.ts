import type { DiffResponse } from '@chatml/protocol';
import { BadRequestError, ConflictError } from '../errors.js';
import { parseCombinedDiff } from './diff-parser.js';
import { validateBranchName } from './ref-names.js';
import { runGit } from './run-git.js';
import { withSnapshotIndex } from './snapshot-index.js';

export interface SessionDiffOptions {
  worktreePath: string;
  /** The branch the session was cut from, e.g. `main` or `origin/main`. */
  baseBranch: string;
  signal?: AbortSignal;
}

/**
 * Output options that make `git diff` print the same thing whatever the user's config says
 * (`diff.noprefix`, `diff.mnemonicPrefix`, `color.diff=always`, `diff.external`, textconv drivers,
 * `diff.relative`), so the parser can rely on it.
 */
export const STABLE_DIFF_ARGS = [
  '--no-color',
  '--no-ext-diff',
  '--no-textconv',
  '--no-relative',
  '--src-prefix=a/',
  '--dst-prefix=b/',
];

/**
 * Everything the session changed: its working tree — committed, uncommitted and untracked (but not
 * ignored) files — against the merge-base of HEAD and `baseBranch`. Commits made on the base branch
 * after the session started are therefore not part of it. The worktree's index and files are not
 * touched (see withDiffSource), and the whole diff costs a constant number of git processes.
 *
 * @example
 * const { mergeBase, files } = await sessionDiff({ worktreePath, baseBranch: 'main' });
 */
export async function sessionDiff(options: SessionDiffOptions): Promise<DiffResponse> {
  const { worktreePath, signal } = options;
  const baseBranch = await validateBranchName(options.baseBranch);
  const [mergeBase, hasUntracked] = await Promise.all([
    findMergeBase(worktreePath, baseBranch, signal),
    hasUntrackedFiles(worktreePath, signal),
  ]);
  const output = await withDiffSource(worktreePath, hasUntracked, signal, async (source) => {
    const { stdout } = await runGit(
      [
        'diff',
        ...source.args,
        '--raw',
        '--numstat',
        '--patch',
        '-z',
        '--find-renames',
        ...STABLE_DIFF_ARGS,
        '--end-of-options',
        mergeBase,
      ],
      // quotePath=false: patch headers keep non-ASCII names readable (and match diff-parser).
      { cwd: worktreePath, env: source.env, config: { 'core.quotePath': 'false' }, signal },
    );
    return stdout;
  });
  return { mergeBase, files: parseCombinedDiff(output) };
}

/** How to point `git diff` at "the whole working tree": extra arguments and environment. */
export interface DiffSource {
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * Runs `use` with the cheapest way to diff the whole working tree against a commit. Without
 * untracked files, plain `git diff <commit>` (working tree vs commit) already shows everything —
 * staged or not, deletions included — in one pass over the files. With untracked files, which
 * plain `git diff` leaves out, the diff runs against a throwaway index snapshot that holds them too
 * (`--cached` + withSnapshotIndex): a second pass over the tree (`git add --all`), but renames
 * between tracked and untracked files are still found. Either way the worktree's own index is
 * never written.
 */
export async function withDiffSource<T>(
  worktreePath: string,
  hasUntracked: boolean,
  signal: AbortSignal | undefined,
  use: (source: DiffSource) => Promise<T>,
): Promise<T> {
  if (!hasUntracked) return use({ args: [], env: {} });
  return withSnapshotIndex(worktreePath, ({ env }) => use({ args: ['--cached'], env: { ...env } }), signal);
}

/**
 * Whether the worktree has untracked files that are not ignored. `--directory` stops at the first
 * level of an untracked folder, so a huge new folder costs no more than a small one.
 */
export async function hasUntrackedFiles(worktreePath: string, signal?: AbortSignal): Promise<boolean> {
  const { stdout } = await runGit(
    ['ls-files', '--others', '--exclude-standard', '--directory', '--no-empty-directory', '-z'],
    { cwd: worktreePath, signal, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout.length > 0;
}

/** `git merge-base HEAD <baseBranch>` in the worktree; BadRequest/Conflict errors a user can act on. */
export async function findMergeBase(
  worktreePath: string,
  baseBranch: string,
  signal?: AbortSignal,
): Promise<string> {
  const base = await runGit(['rev-parse', '-q', '--verify', '--end-of-options', `${baseBranch}^{commit}`], {
    cwd: worktreePath,
    okExitCodes: [0, 1],
    signal,
  });
  if (base.exitCode !== 0) {
    throw new BadRequestError(
      `The base branch ${JSON.stringify(baseBranch)} does not exist in this repository.`,
    );
  }
  const result = await runGit(['merge-base', '--end-of-options', 'HEAD', base.stdout.trim()], {
    cwd: worktreePath,
    okExitCodes: [0, 1],
    signal,
  });
  if (result.exitCode !== 0) {
    throw new ConflictError(
      `The session has no history in common with ${JSON.stringify(baseBranch)}, so there is nothing to diff against.`,
    );
  }
  return result.stdout.trim();
}
