import type { DiffResponse } from '@chatml/protocol';
import { BadRequestError, ConflictError, GitError } from '../errors.js';
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
  // Three git processes start at once, so only the diff is on the critical path:
  // - the one-pass diff against the merge-base, which git finds itself (`--merge-base`);
  // - the merge-base for the answer (and a clear error when there is none);
  // - the untracked check (a walk of the whole tree): nearly always nothing is untracked, and its
  //   time is hidden; when something is, the one-pass diff is stopped and the snapshot diff runs.
  // The diff is started first: starting a process blocks the event loop for a few ms each.
  const speculation = new AbortController();
  const plain = diffWorkingTree(
    worktreePath,
    ['--merge-base', '--end-of-options', `${baseBranch}^{commit}`],
    { args: [], env: {} },
    signal ? AbortSignal.any([signal, speculation.signal]) : speculation.signal,
  );
  const mergeBaseFound = findMergeBase(worktreePath, baseBranch, signal);
  const untracked = hasUntrackedFiles(worktreePath, signal);
  // Each is awaited below; these only keep a rejection that comes first from going unhandled.
  for (const pending of [untracked, mergeBaseFound, plain]) pending.catch(() => {});
  let mergeBase: string;
  let hasUntracked: boolean;
  try {
    mergeBase = await mergeBaseFound;
    hasUntracked = await untracked;
  } catch (error) {
    speculation.abort();
    throw error;
  }
  if (!hasUntracked) return { mergeBase, files: parseCombinedDiff(await plain) };
  speculation.abort();
  const output = await withDiffSource(worktreePath, true, signal, (source) =>
    diffWorkingTree(worktreePath, ['--end-of-options', mergeBase], source, signal),
  );
  return { mergeBase, files: parseCombinedDiff(output) };
}

/** One `git diff` of `source` against `against` with every view the parser reads. */
async function diffWorkingTree(
  worktreePath: string,
  against: string[],
  source: DiffSource,
  signal: AbortSignal | undefined,
): Promise<string> {
  const { stdout } = await runGit(
    ['diff', ...source.args, '--raw', '--patch', '-z', '--find-renames', ...STABLE_DIFF_ARGS, ...against],
    // quotePath=false: patch headers keep non-ASCII names readable (and match diff-parser).
    { cwd: worktreePath, env: source.env, config: { 'core.quotePath': 'false' }, signal },
  );
  return stdout;
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

/**
 * `git merge-base HEAD <baseBranch>` in the worktree; BadRequest/Conflict errors a user can act on.
 * One git process when all is well (it is on the critical path of every diff); only a failure is
 * looked into further, to tell a missing base branch from unrelated histories.
 */
export async function findMergeBase(
  worktreePath: string,
  baseBranch: string,
  signal?: AbortSignal,
): Promise<string> {
  const args = ['merge-base', '--end-of-options', 'HEAD', `${baseBranch}^{commit}`];
  const result = await runGit(args, {
    cwd: worktreePath,
    okExitCodes: [0, 1, 128],
    signal,
  });
  if (result.exitCode === 0) return result.stdout.trim();
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
  // 128 with a base that exists: git failed for another reason (a broken repository); say what it said.
  if (result.exitCode !== 1) throw new GitError(args, result.exitCode, result.stderr);
  throw new ConflictError(
    `The session has no history in common with ${JSON.stringify(baseBranch)}, so there is nothing to diff against.`,
  );
}
