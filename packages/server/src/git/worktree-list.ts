import { runGit } from './run-git.js';

/** One entry of `git worktree list`. */
export interface WorktreeInfo {
  path: string;
  /** Null on an unborn branch. */
  headSha: string | null;
  /** Short branch name; null when detached (or bare). */
  branch: string | null;
  /** The repository's own checkout (always the first entry). */
  isMain: boolean;
  isBare: boolean;
  isDetached: boolean;
  isLocked: boolean;
  /** Its folder is gone; `git worktree prune` would drop the entry. */
  isPrunable: boolean;
}

const ZERO_SHA = /^0+$/;

/** The worktrees of the repository at `repoPath`, main checkout first. */
export async function listWorktrees(repoPath: string, signal?: AbortSignal): Promise<WorktreeInfo[]> {
  // -z: paths may contain newlines; without it they are not even quoted.
  const { stdout } = await runGit(['worktree', 'list', '--porcelain', '-z'], { cwd: repoPath, signal });
  return parseWorktreeList(stdout);
}

/**
 * Parses `git worktree list --porcelain -z`: NUL-terminated `key value` attributes, records ended
 * by an empty attribute. Unknown attributes (from newer git) are ignored.
 */
function parseWorktreeList(output: string): WorktreeInfo[] {
  const worktrees: WorktreeInfo[] = [];
  let current: WorktreeInfo | null = null;
  for (const field of output.split('\0')) {
    if (field === '') {
      if (current) worktrees.push(current);
      current = null;
      continue;
    }
    const space = field.indexOf(' ');
    const key = space < 0 ? field : field.slice(0, space);
    const value = space < 0 ? '' : field.slice(space + 1);
    if (key === 'worktree') {
      if (current) worktrees.push(current);
      current = {
        path: value,
        headSha: null,
        branch: null,
        isMain: worktrees.length === 0,
        isBare: false,
        isDetached: false,
        isLocked: false,
        isPrunable: false,
      };
      continue;
    }
    if (!current) continue;
    if (key === 'HEAD') current.headSha = ZERO_SHA.test(value) ? null : value;
    else if (key === 'branch') current.branch = value.replace(/^refs\/heads\//, '');
    else if (key === 'detached') current.isDetached = true;
    else if (key === 'bare') current.isBare = true;
    else if (key === 'locked') current.isLocked = true;
    else if (key === 'prunable') current.isPrunable = true;
  }
  if (current) worktrees.push(current);
  return worktrees;
}
