import type { Session } from '@chatml/protocol';
import { useEffect, useRef, useState } from 'react';
import { useServices } from '../../app/services';
import { GitError, type GitFailure, toGitFailure } from './git-errors';
import './git.css';

/**
 * An archived session, or one whose worktree folder disappeared: say so, and bring it back
 * (`POST /sessions/:id/restore` re-creates the worktree from the branch with the saved work).
 */
export function RestoreNotice({
  session,
  onRestored,
}: {
  session: Session;
  onRestored: (message: string) => void;
}) {
  const { api, catalog } = useServices();
  const [isWorking, setIsWorking] = useState(false);
  const [failure, setFailure] = useState<GitFailure>();
  const isArchived = session.status === 'archived';
  // Only the branch is gone: the worktree stays as it is, the branch comes back.
  const isBranchOnly = !isArchived && !session.gitState?.worktreeMissing;

  // Restored, the session needs this notice no more: it goes, and its button with the keyboard
  // focus. The message box, usable again, takes the focus rather than the page (unless the user
  // put it somewhere else meanwhile).
  const isRestored = useRef(false);
  useEffect(
    () => () => {
      const active = document.activeElement;
      if (isRestored.current && (active === null || active === document.body))
        document.getElementById('composer-input')?.focus();
    },
    [],
  );

  const restore = async () => {
    if (isWorking) return;
    setIsWorking(true);
    setFailure(undefined);
    try {
      const { restoredWork, ...restored } = await api.restore(session.id);
      isRestored.current = true;
      catalog.addSession(restored);
      onRestored(
        isBranchOnly
          ? `Re-created the branch ${session.branch}.`
          : restoredWork === 'reapplied'
            ? 'Restored the worktree with its saved uncommitted work.'
            : restoredWork === 'conflicted'
              ? 'Restored the worktree; its saved uncommitted work left conflict markers to resolve.'
              : 'Restored the worktree.',
      );
    } catch (caught) {
      setFailure(toGitFailure(caught));
    } finally {
      setIsWorking(false);
    }
  };

  return (
    <div className={`notice ${isArchived ? '' : 'is-warning'} git-restore`} data-testid="restore-notice">
      <p>
        {isArchived
          ? 'This session is archived: its worktree was removed; the branch, any saved uncommitted work and the conversation are kept.'
          : session.gitState?.worktreeMissing
            ? `The worktree folder ${session.worktreePath} is missing (deleted outside ChatML).`
            : `The branch ${session.branch} is gone (deleted outside ChatML); restoring re-creates it at its last commit and leaves the worktree as it is.`}
        {(isArchived || session.gitState?.worktreeMissing) &&
          session.gitState?.branchMissing &&
          ' Its branch is gone too; restoring re-creates it from the last commit ChatML saw.'}
      </p>
      {/* What the archive did with git-ignored files (saved, or deleted with the worktree). */}
      {isArchived && session.statusReason && (
        <p className="muted small-text" data-testid="archive-note">
          {session.statusReason}
        </p>
      )}
      <button
        type="button"
        className="button small primary"
        onClick={() => void restore()}
        // While it works the button stays focusable (a disabled button would drop the focus).
        aria-disabled={isWorking || undefined}
        data-testid="restore-session"
      >
        {isWorking ? 'Restoring…' : isBranchOnly ? 'Re-create the branch' : 'Restore the worktree'}
      </button>
      <GitError failure={failure} testId="restore-error" />
    </div>
  );
}
