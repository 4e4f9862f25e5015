import type { DiffPage, FileDiff } from '@chatml/protocol';
import { parseCombinedDiff } from './diff-parser.js';
import {
  findMergeBase,
  hasUntrackedFiles,
  PATCH_ARGS,
  STABLE_DIFF_ARGS,
  sessionDiff,
  withDiffSource,
} from './diff-service.js';
import { validateBranchName } from './ref-names.js';
import { literalPathspec } from './repo-paths.js';
import { runGit } from './run-git.js';

export interface DiffPageOptions {
  worktreePath: string;
  baseBranch: string;
  /** Index of the first file (in git's order) to include patches for. */
  offset: number;
  /** Most files per page; undefined: all files from `offset` on, in one git diff. */
  limit?: number;
  signal?: AbortSignal;
}

/**
 * The session diff (see sessionDiff) one page of files at a time, with totals for the whole diff.
 * A page costs two diffs (of the snapshot when there are untracked files, see withDiffSource): the file list with counts for everything (no patch
 * text), then patches for the page's paths only — a 5,000-file diff is never read in full to show
 * its first 100 files. Rename pairs stay together because both paths go into the second diff.
 *
 * @example
 * const page = await sessionDiffPage({ worktreePath, baseBranch: 'main', offset: 0, limit: 100 });
 */
export async function sessionDiffPage(options: DiffPageOptions): Promise<DiffPage> {
  const { worktreePath, offset, limit, signal } = options;
  if (limit === undefined) {
    const full = await sessionDiff(options);
    return paged(full.mergeBase, full.files, offset, full.files.length, full.files.slice(offset), null);
  }
  const baseBranch = await validateBranchName(options.baseBranch);
  const [mergeBase, hasUntracked] = await Promise.all([
    findMergeBase(worktreePath, baseBranch, signal),
    hasUntrackedFiles(worktreePath, signal),
  ]);
  return withDiffSource(worktreePath, hasUntracked, signal, async (source) => {
    const diff = (extra: string[], pathspecs: string[]) =>
      runGit(
        [
          'diff',
          ...source.args,
          '--raw',
          ...extra,
          '-z',
          '--find-renames',
          ...STABLE_DIFF_ARGS,
          '--end-of-options',
          mergeBase,
          ...(pathspecs.length > 0 ? ['--', ...pathspecs] : []),
        ],
        { cwd: worktreePath, env: source.env, config: { 'core.quotePath': 'false' }, signal },
      );
    const all = parseCombinedDiff((await diff(['--numstat'], [])).stdout);
    const window = all.slice(offset, offset + limit);
    const nextOffset = offset + limit < all.length ? offset + limit : null;
    if (window.length === 0) return paged(mergeBase, all, offset, all.length, [], nextOffset);
    const paths = window.flatMap((file) => (file.oldPath ? [file.path, file.oldPath] : [file.path]));
    const withPatches = parseCombinedDiff((await diff(PATCH_ARGS, paths.map(literalPathspec))).stdout);
    const patchByPath = new Map(withPatches.map((file) => [file.path, file.patch]));
    const files = window.map((file) => ({ ...file, patch: patchByPath.get(file.path) ?? '' }));
    return paged(mergeBase, all, offset, all.length, files, nextOffset);
  });
}

function paged(
  mergeBase: string,
  all: readonly FileDiff[],
  offset: number,
  totalFiles: number,
  files: FileDiff[],
  nextOffset: number | null,
): DiffPage {
  let additions = 0;
  let deletions = 0;
  for (const file of all) {
    additions += file.additions;
    deletions += file.deletions;
  }
  return { mergeBase, files, totalFiles, offset, nextOffset, additions, deletions };
}
