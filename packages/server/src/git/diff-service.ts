import { StringDecoder } from 'node:string_decoder';
import { DIFF_CONTEXT_LINES, type DiffResponse, type FileDiff } from '@chatml/protocol';
import { BadRequestError, ConflictError, GitError } from '../errors.js';
import { DiffOutputParser } from './diff-parser.js';
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
 * Patches with exactly DIFF_CONTEXT_LINES of context, whatever `diff.context` says: the UI tells
 * from it whether a hunk reaches the end of its file. (`--unified` implies `--patch`, so it goes
 * only where patches are wanted, never with a bare `--numstat`.)
 */
export const PATCH_ARGS = ['--patch', `--unified=${DIFF_CONTEXT_LINES}`];

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
  const files: FileDiff[] = [];
  const { mergeBase, finished } = await startSessionDiff(options, (file) => files.push(file));
  await finished;
  return { mergeBase, files };
}

/** A session diff on its way out: `pipe` writes it as DiffPage JSON while git is still producing it. */
export interface DiffStream {
  /** Resolves once everything is written; rejects if git fails midway (the answer is then cut short). */
  pipe(write: (chunk: string) => void): Promise<void>;
}

/**
 * sessionDiff as a DiffPage (files from `offset` on, totals for all) streamed as JSON: each file
 * goes out as soon as git has written its patch, so encoding and sending a big diff overlap git's
 * work instead of following it. Resolves once the answer is known to be a success (the merge-base
 * exists, the diff source is chosen); errors before that reject as sessionDiff's do.
 */
export async function streamSessionDiff(
  options: SessionDiffOptions & { offset: number },
): Promise<DiffStream> {
  const { offset } = options;
  let index = 0;
  let additions = 0;
  let deletions = 0;
  const held: string[] = [];
  let write: ((chunk: string) => void) | undefined;
  const onFile = (file: FileDiff) => {
    additions += file.additions;
    deletions += file.deletions;
    if (index++ < offset) return;
    const piece = `${index > offset + 1 ? ',' : ''}${JSON.stringify(file)}`;
    if (write) write(piece);
    else held.push(piece);
  };
  const { mergeBase, finished } = await startSessionDiff(options, onFile);
  return {
    async pipe(to) {
      to(`{"offset":${offset},"files":[`);
      for (const piece of held.splice(0)) to(piece);
      write = to;
      await finished;
      const totals = { mergeBase, totalFiles: index, nextOffset: null, additions, deletions };
      to(`],${JSON.stringify(totals).slice(1)}`);
    },
  };
}

/**
 * Starts the session diff and resolves once its outcome is settled — the merge-base found, the diff
 * source chosen — with `finished`, which resolves when every file has been handed to `onFile` (in
 * git's order, each as soon as git has written it).
 *
 * Three git processes start at once, so only the diff is on the critical path:
 * - the one-pass diff against the merge-base, which git finds itself (`--merge-base`);
 * - the merge-base for the answer (and a clear error when there is none);
 * - the untracked check (a walk of the whole tree): nearly always nothing is untracked, and its time
 *   is hidden; when something is, the one-pass diff is stopped (what it produced is dropped) and
 *   the snapshot diff runs.
 */
async function startSessionDiff(
  options: SessionDiffOptions,
  onFile: (file: FileDiff) => void,
): Promise<{ mergeBase: string; finished: Promise<void> }> {
  const { worktreePath, signal } = options;
  const baseBranch = await validateBranchName(options.baseBranch);
  // The diff is started first: starting a process blocks the event loop for a few ms each.
  const speculation = new AbortController();
  const early: FileDiff[] = [];
  let deliver: ((file: FileDiff) => void) | undefined;
  const plain = diffWorkingTree(
    worktreePath,
    ['--merge-base', '--end-of-options', `${baseBranch}^{commit}`],
    { args: [], env: {} },
    signal ? AbortSignal.any([signal, speculation.signal]) : speculation.signal,
    (file) => (deliver ? deliver(file) : early.push(file)),
  );
  const mergeBaseFound = findMergeBase(worktreePath, baseBranch, signal);
  // At a lower priority: on a machine with few cores it must not take the CPU from the diff.
  const untracked = hasUntrackedFiles(worktreePath, signal, SIDE_WORK_NICENESS);
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
  if (!hasUntracked) {
    for (const file of early.splice(0)) onFile(file);
    deliver = onFile;
    return { mergeBase, finished: plain };
  }
  speculation.abort();
  const finished = withDiffSource(worktreePath, true, signal, (source) =>
    diffWorkingTree(worktreePath, ['--end-of-options', mergeBase], source, signal, onFile),
  );
  // A caller that never waits for it (a HEAD request) must not leave a failure unhandled.
  finished.catch(() => {});
  return { mergeBase, finished };
}

/**
 * One `git diff` of `source` against `against` with every view the parser reads; each file goes to
 * `onFile` as soon as its patch is complete.
 */
async function diffWorkingTree(
  worktreePath: string,
  against: string[],
  source: DiffSource,
  signal: AbortSignal | undefined,
  onFile: (file: FileDiff) => void,
): Promise<void> {
  const parser = new DiffOutputParser(onFile);
  // Chunks can end inside a multi-byte character; the decoder carries it over.
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  await runGit(
    ['diff', ...source.args, '--raw', ...PATCH_ARGS, '-z', '--find-renames', ...STABLE_DIFF_ARGS, ...against],
    // quotePath=false: patch headers keep non-ASCII names readable (and match diff-parser).
    {
      cwd: worktreePath,
      env: source.env,
      config: { 'core.quotePath': 'false' },
      signal,
      onStdout: (chunk) => {
        // The same bound as any git output we read: past it git is stopped and the diff fails.
        bytes += chunk.length;
        if (bytes > MAX_DIFF_BYTES)
          throw new GitError(['diff'], null, `the diff is larger than ${MAX_DIFF_BYTES / 1024 / 1024} MiB`);
        parser.push(decoder.write(chunk));
      },
    },
  );
  parser.push(decoder.end());
  parser.end();
}

const SIDE_WORK_NICENESS = 10;
const MAX_DIFF_BYTES = 256 * 1024 * 1024;

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
export async function hasUntrackedFiles(
  worktreePath: string,
  signal?: AbortSignal,
  niceness?: number,
): Promise<boolean> {
  const { stdout } = await runGit(
    ['ls-files', '--others', '--exclude-standard', '--directory', '--no-empty-directory', '-z'],
    { cwd: worktreePath, signal, maxBuffer: 64 * 1024 * 1024, niceness },
  );
  return stdout.length > 0;
}

/**
 * `git merge-base HEAD <baseBranch>` in the worktree; BadRequest/Conflict errors a user can act on.
 * One git process when all is well (it is on the critical path of every diff); only a failure is
 * looked into further, to tell a missing base branch from unrelated histories. `head` replaces
 * `HEAD` where there is no worktree (an archived session's branch, read in the repository).
 */
export async function findMergeBase(
  worktreePath: string,
  baseBranch: string,
  signal?: AbortSignal,
  head = 'HEAD',
): Promise<string> {
  const args = ['merge-base', '--end-of-options', head, `${baseBranch}^{commit}`];
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
