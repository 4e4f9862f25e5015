import type { FileDiff, SessionGitState } from '@chatml/protocol';
import { useState } from 'react';
import { useServices } from '../../app/services';
import { ConfirmDialog } from '../ConfirmDialog';
import { useCommitList } from './use-git-data';
import './git.css';

/**
 * "Discard…" for the file shown in the changes pane, with a confirmation. Offered only when the
 * file has uncommitted changes (a committed change is undone by a new commit, not by discarding).
 */
export function DiscardFileButton({
  sessionId,
  file,
  sync,
  baseBranch,
  version,
  onDiscarded,
}: {
  sessionId: string;
  file: FileDiff | undefined;
  /** A sync stopped in the worktree: HEAD is then not simply the session branch's last commit. */
  sync: SessionGitState['sync'];
  baseBranch: string;
  /** Changes whenever the diff was reloaded, so the uncommitted paths are asked for again. */
  version: unknown;
  onDiscarded: () => void;
}) {
  const { api } = useServices();
  const { list } = useCommitList(sessionId, version);
  const [target, setTarget] = useState<FileDiff>();
  if (!file || !list?.uncommitted.includes(file.path)) return null;
  const isNew = file.status === 'added';
  // A rename's old path must come back too, or discarding leaves it deleted.
  const paths = file.oldPath && file.oldPath !== file.path ? [file.path, file.oldPath] : [file.path];
  return (
    <>
      <button
        type="button"
        className="button small danger"
        onClick={() => setTarget(file)}
        aria-label={`Discard the uncommitted changes to ${file.path}`}
        data-testid="discard-file"
      >
        Discard…
      </button>
      <ConfirmDialog
        isOpen={target !== undefined}
        title={`Discard the changes to ${file.path}?`}
        message={discardMessage(file.path, isNew, sync, baseBranch)}
        confirmLabel="Discard changes"
        onConfirm={async () => {
          await api.discard(sessionId, paths);
          onDiscarded();
        }}
        onClose={() => setTarget(undefined)}
      />
    </>
  );
}

/**
 * What discarding does to `path`: it goes back to HEAD, which in a stopped rebase is the base
 * branch with the session's commits replayed so far, and in a stopped merge the session branch
 * without the base's side — either way a side of the sync is dropped for this file.
 */
function discardMessage(
  path: string,
  isNew: boolean,
  sync: SessionGitState['sync'],
  baseBranch: string,
): string {
  if (isNew) return `${path} is not committed anywhere: discarding deletes the file. This cannot be undone.`;
  const resolves = sync?.conflicts.includes(path) ? ' That also settles its conflict.' : '';
  if (sync?.strategy === 'rebase')
    return `A rebase onto ${baseBranch} is stopped here: ${path} goes back to ${baseBranch}’s version with the session’s commits replayed so far, so the session’s change to it in the commit being replayed is dropped.${resolves} This cannot be undone.`;
  if (sync?.strategy === 'merge')
    return `A merge of ${baseBranch} is stopped here: ${path} goes back to the session branch’s last commit, so ${baseBranch}’s changes to it are not merged.${resolves} This cannot be undone.`;
  return `${path} goes back to how it is in the last commit of the session branch; its uncommitted changes are lost. This cannot be undone.`;
}
