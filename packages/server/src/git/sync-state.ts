import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SyncStrategy } from '@chatml/protocol';
import { runGit } from './run-git.js';

export interface SyncInProgress {
  strategy: SyncStrategy;
  /** Paths with unresolved conflicts (unmerged index entries), worktree-relative. */
  conflicts: string[];
}

/**
 * Whether a rebase or merge is under way in the worktree — started by ChatML, by the agent, or left
 * by a crash — and which paths are still conflicted. Looks for git's own markers
 * (`rebase-merge/`, `rebase-apply/`, `MERGE_HEAD` in the worktree's git dir), so it sees the truth
 * after a restart too. Null when none is, or the folder is gone.
 */
export async function detectSyncInProgress(worktreePath: string): Promise<SyncInProgress | null> {
  const gitDir = worktreeGitDir(worktreePath);
  if (!gitDir) return null;
  let strategy: SyncStrategy | null = null;
  if (existsSync(join(gitDir, 'rebase-merge')) || existsSync(join(gitDir, 'rebase-apply')))
    strategy = 'rebase';
  else if (existsSync(join(gitDir, 'MERGE_HEAD'))) strategy = 'merge';
  if (!strategy) return null;
  return { strategy, conflicts: await unmergedPaths(worktreePath) };
}

/** Paths with unmerged index entries (conflicts not yet marked resolved). */
export async function unmergedPaths(worktreePath: string): Promise<string[]> {
  const { stdout } = await runGit(['diff', '--name-only', '--diff-filter=U', '-z'], { cwd: worktreePath });
  return [...new Set(stdout.split('\0').filter(Boolean))];
}

/**
 * The git dir of a worktree without starting git: `.git` is a folder in a main checkout and a
 * `gitdir: <path>` file in a linked worktree. Null when there is neither.
 */
function worktreeGitDir(worktreePath: string): string | null {
  const dotGit = join(worktreePath, '.git');
  try {
    if (statSync(dotGit).isDirectory()) return dotGit;
    const match = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    return match?.[1] ? resolve(worktreePath, match[1].trim()) : null;
  } catch {
    // No .git at all: the folder is gone or is not a worktree; there is no sync to report.
    return null;
  }
}
