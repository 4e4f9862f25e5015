import type { Session } from '@chatml/protocol';
import { useEffect, useId, useState } from 'react';
import { useServices } from '../../app/services';
import { Modal } from '../Modal';
import { GitError, type GitFailure, shortSha, toGitFailure } from './git-errors';
import './git.css';
import { countOf } from '../format';

/**
 * Commit everything uncommitted in the session's worktree. "Write with AI" asks the backend for a
 * message drawn from the changes (a one-shot model call) and puts it in the box, still editable.
 */
export function CommitDialog({
  session,
  isOpen,
  uncommitted,
  uncommittedCount,
  onClose,
  onCommitted,
}: {
  session: Session;
  isOpen: boolean;
  /** The paths the commit will take (from `GET …/commits`), for the user to check. */
  uncommitted: readonly string[];
  uncommittedCount: number;
  onClose: () => void;
  onCommitted: (sha: string, message: string) => void;
}) {
  const { api } = useServices();
  const [message, setMessage] = useState('');
  const [isDrafting, setIsDrafting] = useState(false);
  const [isCommitting, setIsCommitting] = useState(false);
  const [failure, setFailure] = useState<GitFailure>();
  const messageId = useId();

  useEffect(() => {
    if (!isOpen) return;
    setFailure(undefined);
  }, [isOpen]);

  const draft = async () => {
    setIsDrafting(true);
    setFailure(undefined);
    try {
      setMessage((await api.draftCommitMessage(session.id)).message);
    } catch (caught) {
      setFailure(toGitFailure(caught));
    } finally {
      setIsDrafting(false);
    }
  };

  const commit = async () => {
    setIsCommitting(true);
    setFailure(undefined);
    try {
      const { sha } = await api.commit(session.id, message);
      setMessage('');
      onCommitted(sha, message);
      onClose();
    } catch (caught) {
      setFailure(toGitFailure(caught));
    } finally {
      setIsCommitting(false);
    }
  };

  const isBusy = isDrafting || isCommitting;
  return (
    <Modal
      isOpen={isOpen}
      title={`Commit in ${session.name}`}
      onClose={onClose}
      className="git-dialog"
      testId="commit-dialog"
    >
      <form
        className="git-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (message.trim() && !isBusy) void commit();
        }}
      >
        <div className="git-field-head">
          <label htmlFor={messageId}>Commit message</label>
          <button
            type="button"
            className="button small"
            onClick={() => void draft()}
            disabled={isBusy}
            data-testid="commit-draft"
            aria-describedby={`${messageId}-draft-note`}
          >
            {isDrafting ? 'Writing…' : 'Write with AI'}
          </button>
        </div>
        <textarea
          id={messageId}
          className="input git-message"
          rows={6}
          value={message}
          onChange={(event) => setMessage(event.target.value)}
          onKeyDown={(event) => {
            // Ctrl/Cmd+Enter commits from the message box, as in most git clients.
            if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) {
              event.preventDefault();
              if (message.trim() && !isBusy) void commit();
            }
          }}
          placeholder="Summary line&#10;&#10;Why the change was made"
          data-autofocus
          data-testid="commit-message"
          aria-busy={isDrafting}
        />
        <p id={`${messageId}-draft-note`} className="muted small-text">
          The AI draft is written from the uncommitted changes; edit it before committing.
        </p>
        <details className="git-files">
          <summary>
            {countOf(uncommittedCount, 'file')} to commit (everything uncommitted, untracked files included)
          </summary>
          <ul className="git-path-list" aria-label="Files to commit">
            {uncommitted.map((path) => (
              <li key={path}>{path}</li>
            ))}
            {uncommittedCount > uncommitted.length && (
              <li>… and {uncommittedCount - uncommitted.length} more</li>
            )}
          </ul>
        </details>
        <GitError failure={failure} testId="commit-error" />
        <div className="modal-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button primary"
            disabled={!message.trim() || isBusy}
            data-testid="commit-submit"
            aria-keyshortcuts="Control+Enter Meta+Enter"
          >
            {isCommitting ? 'Committing…' : 'Commit'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function describeCommit(sha: string, message: string): string {
  return `Committed ${shortSha(sha)}: ${message.split('\n')[0] ?? ''}`;
}
