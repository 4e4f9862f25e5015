import { type ArchiveOutcome, describeIgnored, type SavedWork } from '../git/work-archive.js';

/**
 * What archiving did that the user should know, for the session's status reason: git-ignored files
 * saved or deleted, or a worktree folder left on disk because git could not handle it. `saved` is
 * null when the worktree was already gone.
 */
export function archiveNote(worktreePath: string, saved: SavedWork | null): string | null {
  if (!saved) return null;
  if (saved.leftFolder)
    return `The worktree folder ${worktreePath} had lost its .git, so nothing in it could be saved with git; it was left on disk as it is.`;
  return describeIgnored(saved);
}

/** The repository itself is gone: nothing could be saved or removed. */
export function repositoryGoneNote(repoPath: string, worktreePath: string): string {
  return `The repository folder ${repoPath} is gone, so nothing was saved or removed: the worktree folder ${worktreePath} was left as it was.`;
}

/** What a restore could not do cleanly, or moved out of the way; null when it all went to plan. */
export function restoreNote(restored: { archive: ArchiveOutcome; movedAside?: string }): string | null {
  const notes: string[] = [];
  if (restored.archive === 'conflicted')
    notes.push(
      'Restored; the saved uncommitted work did not apply cleanly, so some files have conflict markers.',
    );
  if (restored.movedAside)
    notes.push(`The folder that was in the worktree's place without git is now ${restored.movedAside}.`);
  return notes.length > 0 ? notes.join(' ') : null;
}
