import type { CommitDiff, CommitInfo, CommitList } from '@chatml/protocol';
import { GitError, NotFoundError } from '../errors.js';
import { parseCombinedDiff } from './diff-parser.js';
import { findMergeBase, PATCH_ARGS, STABLE_DIFF_ARGS } from './diff-service.js';
import { mergeTree } from './merge-back.js';
import { validateBranchName } from './ref-names.js';
import { validateRevision } from './repo-paths.js';
import { runGit } from './run-git.js';
import { listUncommittedEntries } from './uncommitted-changes.js';
import { hasWorktree } from './worktree-presence.js';

/** The tree of a commit with no parent is compared with git's empty tree. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** Fields of one commit, NUL-separated; each record ends with an extra NUL (`-z`). */
const LOG_FORMAT = '%H%x00%P%x00%an%x00%ae%x00%at%x00%s%x00%b';

/**
 * The session branch's own commits: `<merge-base with baseBranch>..HEAD`, newest first. Commits
 * that came in from the base by a sync-merge are part of the range only if they are not on the
 * base (i.e. never).
 *
 * @example
 * const { commits } = await listSessionCommits({ worktreePath, baseBranch: 'main' });
 */
export async function listSessionCommits(options: {
  worktreePath: string;
  baseBranch: string;
  limit?: number;
  /** Stops the git processes (the client that asked went away). */
  signal?: AbortSignal;
}): Promise<CommitList> {
  const { signal } = options;
  const baseBranch = await validateBranchName(options.baseBranch);
  const [read, entries] = await Promise.all([
    readCommits(options.worktreePath, 'HEAD', baseBranch, options.limit, signal),
    // Paths `git add --all` would commit, each untracked file on its own so each can be discarded.
    listUncommittedEntries(options.worktreePath, { untrackedFiles: 'all', signal }),
  ]);
  const uncommitted = entries.map((entry) => entry.path).sort();
  return {
    ...read,
    uncommitted: uncommitted.slice(0, MAX_UNCOMMITTED_PATHS),
    uncommittedCount: uncommitted.length,
    trackedUncommittedCount: entries.filter((entry) => !entry.isUntracked).length,
    unavailableReason: null,
  };
}

/**
 * A session's commits: from its worktree when it has one (`hasWorktree`), else from its kept branch
 * in the repository. A worktree removed while the list is read (the session is being archived) is
 * read from the branch too, instead of failing on a folder that just went away.
 */
export async function listCommitsOf(options: {
  worktreePath: string;
  hasWorktree: boolean;
  repoPath: string;
  branch: string;
  baseBranch: string;
  signal?: AbortSignal;
}): Promise<CommitList> {
  const { worktreePath, repoPath, branch, baseBranch, signal } = options;
  if (options.hasWorktree && hasWorktree(worktreePath)) {
    try {
      return await listSessionCommits({ worktreePath, baseBranch, signal });
    } catch (error) {
      if (signal?.aborted || hasWorktree(worktreePath)) throw error;
    }
  }
  return listBranchCommits({ repoPath, branch, baseBranch, signal });
}

/**
 * The same list for a session without a worktree (archived, or its folder deleted): archiving
 * keeps the branch, so it is read in the repository — nothing is uncommitted there (an archive's
 * saved work is not on the branch). A branch that is gone (retired by merge back, deleted by hand)
 * is an empty list with `unavailableReason: 'branch_missing'`, not an error: it is an expected state.
 *
 * @example
 * const { commits } = await listBranchCommits({ repoPath, branch: 'chatml/brave-otter', baseBranch: 'main' });
 */
export async function listBranchCommits(options: {
  repoPath: string;
  branch: string;
  baseBranch: string;
  limit?: number;
  signal?: AbortSignal;
}): Promise<CommitList> {
  const { signal } = options;
  const branch = await validateBranchName(options.branch);
  const baseBranch = await validateBranchName(options.baseBranch);
  // Resolved once, so the merge-base and the log read the same tip even if the branch moves.
  const tip = await runGit(
    ['rev-parse', '-q', '--verify', '--end-of-options', `refs/heads/${branch}^{commit}`],
    { cwd: options.repoPath, okExitCodes: [0, 1], signal },
  );
  const nothing = { uncommitted: [], uncommittedCount: 0, trackedUncommittedCount: 0 };
  if (tip.exitCode !== 0) {
    const gone = { mergeBase: null, commits: [], behindBase: null, mergedIntoBase: false };
    return { ...gone, ...nothing, unavailableReason: 'branch_missing' };
  }
  const read = await readCommits(options.repoPath, tip.stdout.trim(), baseBranch, options.limit, signal);
  return { ...read, ...nothing, unavailableReason: null };
}

/** `<merge-base>..<head>` as CommitInfo, run in `cwd` (a worktree, or the repository for a sha). */
async function readCommits(
  cwd: string,
  head: string,
  baseBranch: string,
  limit = 1000,
  signal?: AbortSignal,
): Promise<{ mergeBase: string; commits: CommitInfo[]; behindBase: number; mergedIntoBase: boolean }> {
  const mergeBase = await findMergeBase(cwd, baseBranch, signal, head);
  const [log, behind] = await Promise.all([
    runGit(
      [
        'log',
        '-z',
        `--format=${LOG_FORMAT}`,
        `--max-count=${limit}`,
        '--end-of-options',
        `${mergeBase}..${head}`,
      ],
      { cwd, signal },
    ),
    // The base's commits since the merge-base: what a sync would bring in.
    runGit(['rev-list', '--count', '--end-of-options', `${head}..${baseBranch}^{commit}`], { cwd, signal }),
  ]);
  const commits = parseLog(log.stdout);
  const behindBase = Number.parseInt(behind.stdout.trim(), 10) || 0;
  const mergedIntoBase = await isMergedIntoBase(cwd, head, baseBranch, signal, {
    ahead: commits.length,
    behind: behindBase,
  });
  return { mergeBase, commits, behindBase, mergedIntoBase };
}

/**
 * Whether `head`'s own commits are in the base already — squash-merged, so ancestry cannot tell:
 * merging `head` into the base would leave the base's tree as it is (as merge back checks). Only a
 * branch with commits of its own on a base that moved can be. `counts` when the caller has them.
 */
export async function isMergedIntoBase(
  cwd: string,
  head: string,
  baseBranch: string,
  signal?: AbortSignal,
  counts?: { ahead: number; behind: number },
): Promise<boolean> {
  let ahead = counts?.ahead;
  let behind = counts?.behind;
  if (ahead === undefined || behind === undefined) {
    const { stdout } = await runGit(
      ['rev-list', '--left-right', '--count', '--end-of-options', `${baseBranch}^{commit}...${head}`],
      { cwd, signal },
    );
    [behind = 0, ahead = 0] = stdout.trim().split(/\s+/).map(Number);
  }
  return ahead > 0 && behind > 0 && (await isOnBase(cwd, head, baseBranch, signal));
}

/** Whether merging `head` into the base would leave the base's tree as it is (as merge back checks). */
async function isOnBase(
  cwd: string,
  head: string,
  baseBranch: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const base = `${baseBranch}^{commit}`;
  const [merged, baseTree] = await Promise.all([
    // A git too old for merge-tree cannot tell: not merged, as far as anyone knows.
    mergeTree(cwd, base, head, signal).catch((error: unknown) => {
      if (error instanceof GitError) return { tree: null };
      throw error;
    }),
    runGit(['rev-parse', `${base}^{tree}`], { cwd, signal }),
  ]);
  return merged.tree !== null && merged.tree === baseTree.stdout.trim();
}

/** The UI lists these; a worktree with more (an unignored build folder) is summarised by its count. */
const MAX_UNCOMMITTED_PATHS = 1000;

/**
 * One commit's changes against its first parent (against the empty tree for a root commit), in
 * the same shape as the session diff. `sha` must resolve to a commit of the repository.
 */
export async function commitDiff(options: { worktreePath: string; sha: string }): Promise<CommitDiff> {
  const { worktreePath } = options;
  const sha = validateRevision(options.sha);
  const { stdout, exitCode } = await runGit(
    ['log', '-1', '-z', `--format=${LOG_FORMAT}`, '--end-of-options', `${sha}^{commit}`],
    { cwd: worktreePath, okExitCodes: [0, 128] },
  );
  const commit = exitCode === 0 ? parseLog(stdout)[0] : undefined;
  if (!commit) throw new NotFoundError('Commit', sha);
  const parent = commit.parents[0] ?? EMPTY_TREE;
  const { stdout: diff } = await runGit(
    [
      'diff',
      '--raw',
      ...PATCH_ARGS,
      '-z',
      '--find-renames',
      ...STABLE_DIFF_ARGS,
      '--end-of-options',
      parent,
      commit.sha,
    ],
    { cwd: worktreePath, config: { 'core.quotePath': 'false' } },
  );
  return { commit, files: parseCombinedDiff(diff) };
}

function parseLog(output: string): CommitInfo[] {
  const commits: CommitInfo[] = [];
  // Records are "<7 fields>\0" joined by "\0"; the body (last field) may hold newlines, never NUL.
  const fields = output.split('\0');
  for (let index = 0; index + 6 < fields.length; index += 7) {
    const [sha, parents, authorName, authorEmail, authoredAt, subject, body] = fields.slice(index, index + 7);
    if (!sha) continue;
    commits.push({
      sha,
      parents: parents ? parents.split(' ') : [],
      authorName: authorName ?? '',
      authorEmail: authorEmail ?? '',
      authoredAt: Number(authoredAt) * 1000,
      subject: subject ?? '',
      body: (body ?? '').trimEnd(),
    });
  }
  return commits;
}
