import { createContext, useContext } from 'react';

/**
 * The session's worktree path, so tool cards can show `src/a.ts` instead of a long absolute path.
 * Paths outside the worktree stay absolute, which makes them stand out — as they should.
 */
export const WorktreeContext = createContext<string | undefined>(undefined);

export function useWorktreePath(): string | undefined {
  return useContext(WorktreeContext);
}

export function displayPath(path: string, worktreePath: string | undefined): string {
  if (!worktreePath) return path;
  const prefix = worktreePath.endsWith('/') ? worktreePath : `${worktreePath}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}
