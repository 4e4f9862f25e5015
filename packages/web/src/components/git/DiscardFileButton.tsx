import type { FileDiff } from '@chatml/protocol';
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
  version,
  onDiscarded,
}: {
  sessionId: string;
  file: FileDiff | undefined;
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
        message={
          isNew
            ? `${file.path} is not committed anywhere: discarding deletes the file. This cannot be undone.`
            : `${file.path} goes back to how it is in the last commit of the session branch; its uncommitted changes are lost. This cannot be undone.`
        }
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
