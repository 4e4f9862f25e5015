import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether a session's worktree is there to work in: its folder with its `.git` (a linked worktree's
 * `.git` is a file pointing into the repository). A folder without one is not a worktree any more
 * — the user deleted it and something (an agent's Write) re-created the folder — and git run
 * inside it would find whatever repository encloses it, if any: never the session's.
 */
export function hasWorktree(worktreePath: string): boolean {
  return existsSync(join(worktreePath, '.git'));
}

/** Why the session's worktree cannot be worked in, as a sentence; null when it can. */
export function worktreeProblem(worktreePath: string): string | null {
  if (!existsSync(worktreePath)) return `The worktree ${worktreePath} is missing.`;
  if (!hasWorktree(worktreePath))
    return `The worktree ${worktreePath} is missing its .git (deleted?), so it is no longer a git worktree.`;
  return null;
}
