import type { Session, SyncResponse, SyncStrategy } from '@chatml/protocol';
import { useEffect, useState } from 'react';
import { useServices } from '../../app/services';
import { countOf } from '../format';
import { Modal } from '../Modal';
import { GitError, type GitFailure, toGitFailure } from './git-errors';
import './git.css';

const strategies: { value: SyncStrategy; label: string; detail: string }[] = [
  {
    value: 'rebase',
    label: 'Rebase',
    detail: 'Replay the session’s commits on top of the base branch: a straight history.',
  },
  {
    value: 'merge',
    label: 'Merge',
    detail: 'Merge the base branch into the session branch: its commits stay as they are.',
  },
];

/** Bring the base branch's new commits into the session branch. Conflicts go to the conflict view. */
export function SyncDialog({
  session,
  behindBase,
  isOpen,
  onClose,
  onSynced,
}: {
  session: Session;
  /** The base's commits the branch lacks, as last read (null: not known). */
  behindBase: number | null;
  isOpen: boolean;
  onClose: () => void;
  onSynced: (result: SyncResponse) => void;
}) {
  const { api } = useServices();
  const [strategy, setStrategy] = useState<SyncStrategy>('rebase');
  const [isWorking, setIsWorking] = useState(false);
  const [failure, setFailure] = useState<GitFailure>();

  useEffect(() => {
    if (isOpen) setFailure(undefined);
  }, [isOpen]);

  const sync = async () => {
    setIsWorking(true);
    setFailure(undefined);
    try {
      const result = await api.sync(session.id, strategy);
      onSynced(result);
      onClose();
    } catch (caught) {
      setFailure(toGitFailure(caught));
    } finally {
      setIsWorking(false);
    }
  };

  return (
    <Modal
      isOpen={isOpen}
      title={`Sync ${session.name} with ${session.baseBranch}`}
      onClose={onClose}
      className="git-dialog"
      testId="sync-dialog"
    >
      <form
        className="git-form"
        onSubmit={(event) => {
          event.preventDefault();
          void sync();
        }}
      >
        {behindBase !== null && (
          <p data-testid="sync-behind">
            {behindBase > 0
              ? `${session.baseBranch} has ${countOf(behindBase, 'commit')} that ${session.branch} does not have yet.`
              : `When last checked, ${session.branch} already had every commit of ${session.baseBranch}; syncing checks again.`}
          </p>
        )}
        <fieldset className="git-choices">
          <legend>How to bring in the new commits of {session.baseBranch}</legend>
          {strategies.map((choice, index) => (
            <label key={choice.value} className="git-choice">
              <input
                type="radio"
                name="sync-strategy"
                value={choice.value}
                checked={strategy === choice.value}
                onChange={() => setStrategy(choice.value)}
                data-autofocus={index === 0 ? true : undefined}
                data-testid={`sync-strategy-${choice.value}`}
              />
              <span>
                <strong>{choice.label}</strong> <span className="muted">{choice.detail}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <p className="muted small-text">
          If git stops on conflicts, the session says so and lists the files: resolve them (or ask the agent
          to), then continue — or abort to get back to where you were.
        </p>
        <GitError failure={failure} testId="sync-error" />
        <div className="modal-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={isWorking} data-testid="sync-submit">
            {isWorking ? 'Syncing…' : 'Sync'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
