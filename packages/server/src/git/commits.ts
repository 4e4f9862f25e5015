import type { CommitDiff, CommitInfo, CommitList } from '@chatml/protocol';
import { NotFoundError } from '../errors.js';
import { parseCombinedDiff } from './diff-parser.js';
import { findMergeBase, STABLE_DIFF_ARGS } from './diff-service.js';
import { validateBranchName } from './ref-names.js';
import { validateRevision } from './repo-paths.js';
import { runGit } from './run-git.js';
import { listUncommittedPaths } from './uncommitted-changes.js';

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
}): Promise<CommitList> {
  const baseBranch = await validateBranchName(options.baseBranch);
  const mergeBase = await findMergeBase(options.worktreePath, baseBranch);
  const { stdout } = await runGit(
    [
      'log',
      '-z',
      `--format=${LOG_FORMAT}`,
      `--max-count=${options.limit ?? 1000}`,
      '--end-of-options',
      `${mergeBase}..HEAD`,
    ],
    { cwd: options.worktreePath },
  );
  // Paths `git add --all` would commit, each untracked file on its own so each can be discarded.
  const uncommitted = (await listUncommittedPaths(options.worktreePath, { untrackedFiles: 'all' })).sort();
  return {
    mergeBase,
    commits: parseLog(stdout),
    uncommitted: uncommitted.slice(0, MAX_UNCOMMITTED_PATHS),
    uncommittedCount: uncommitted.length,
  };
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
      '--patch',
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
