import type { MergeResponse, MergeStrategy, Session } from '@chatml/protocol';
import { useEffect, useState } from 'react';
import { useServices } from '../../app/services';
import { Modal } from '../Modal';
import { useEditableSettings } from '../use-editable-settings';
import { GitError, type GitFailure, toGitFailure } from './git-errors';
import './git.css';
import { countOf } from '../format';

const strategies: { value: MergeStrategy; label: string; detail: string }[] = [
  {
    value: 'squash',
    label: 'Squash',
    detail: 'one commit on the base branch with all of the session’s work',
  },
  { value: 'merge', label: 'Merge commit', detail: 'keep the session’s commits, joined by a merge commit' },
];

/**
 * Merge the session branch into its base branch. The backend refuses cleanly — conflicts, or the
 * user's own checkout having edits to a file the merge touches — and changes nothing then; its
 * reason and the paths are shown as they are.
 */
export function MergeDialog({
  session,
  isOpen,
  commitCount,
  onClose,
  onMerged,
}: {
  session: Session;
  isOpen: boolean;
  commitCount: number;
  onClose: () => void;
  onMerged: (result: MergeResponse) => void;
}) {
  const { api } = useServices();
  const [strategy, setStrategy] = useState<MergeStrategy>('squash');
  /** Undefined until the user ticks or clears it: until then, the archiveAfterMerge setting. */
  const [pickedArchiving, setPickedArchiving] = useState<boolean>();
  const settings = useEditableSettings(isOpen);
  const isArchiving = pickedArchiving ?? settings?.archiveAfterMerge ?? false;
  const [isWorking, setIsWorking] = useState(false);
  const [failure, setFailure] = useState<GitFailure>();

  useEffect(() => {
    if (isOpen) setFailure(undefined);
  }, [isOpen]);

  const merge = async () => {
    setIsWorking(true);
    setFailure(undefined);
    try {
      const result = await api.merge(session.id, { strategy, archive: isArchiving });
      onMerged(result);
      onClose();
    } catch (caught) {
      setFailure(toGitFailure(caught));
    } finally {
      setIsWorking(false);
    }
  };

  const commits = countOf(commitCount, 'commit');
  return (
    <Modal
      isOpen={isOpen}
      title={`Merge ${session.name} into ${session.baseBranch}`}
      onClose={onClose}
      className="git-dialog"
      testId="merge-dialog"
    >
      <form
        className="git-form"
        onSubmit={(event) => {
          event.preventDefault();
          void merge();
        }}
      >
        <p>
          Puts the {commits} of <code>{session.branch}</code> onto <code>{session.baseBranch}</code>. Where{' '}
          {session.baseBranch} is checked out, its files are updated the way <code>git merge</code> would;
          your own uncommitted edits to other files stay.
        </p>
        <fieldset className="git-choices">
          <legend>Strategy</legend>
          {strategies.map((choice, index) => (
            <label key={choice.value} className="git-choice">
              <input
                type="radio"
                name="merge-strategy"
                value={choice.value}
                checked={strategy === choice.value}
                onChange={() => setStrategy(choice.value)}
                data-autofocus={index === 0 ? true : undefined}
                data-testid={`merge-strategy-${choice.value}`}
              />
              <span>
                <strong>{choice.label}</strong> <span className="muted">{choice.detail}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <label className="git-choice">
          <input
            type="checkbox"
            checked={isArchiving}
            onChange={(event) => setPickedArchiving(event.target.checked)}
            data-testid="merge-archive"
          />
          <span>
            Then archive the session and delete its branch{' '}
            <span className="muted">(the conversation is kept; the branch tip stays on a ChatML ref)</span>
          </span>
        </label>
        <GitError failure={failure} conflictsLabel="Conflicting files" testId="merge-error" />
        <div className="modal-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={isWorking} data-testid="merge-submit">
            {isWorking ? 'Merging…' : `Merge into ${session.baseBranch}`}
          </button>
        </div>
      </form>
    </Modal>
  );
}
