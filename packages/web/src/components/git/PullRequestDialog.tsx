import type { CreatePullRequestResponse, Session } from '@chatml/protocol';
import { useEffect, useId, useState } from 'react';
import { useServices } from '../../app/services';
import { Modal } from '../Modal';
import { GitError, type GitFailure, toGitFailure } from './git-errors';
import './git.css';

/**
 * Push the session branch and open a pull request. Title and body start from the backend's prefill
 * (the first prompt's first line and the repository's PR template); "Write with AI" drafts both
 * from the session's diff and commits. A rejected push can be retried with a lease-protected force.
 */
export function PullRequestDialog({
  session,
  isOpen,
  onClose,
  onCreated,
}: {
  session: Session;
  isOpen: boolean;
  onClose: () => void;
  onCreated: (created: CreatePullRequestResponse) => void;
}) {
  const { api } = useServices();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [isDraft, setIsDraft] = useState(false);
  const [working, setWorking] = useState<'prefill' | 'draft' | 'create' | 'force'>();
  const [failure, setFailure] = useState<GitFailure>();
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    if (!isOpen) return;
    let isCurrent = true;
    setFailure(undefined);
    setWorking('prefill');
    api.pullRequestPrefill(session.id).then(
      (prefill) => {
        if (!isCurrent) return;
        // Keep what the user already typed (the dialog was closed and opened again).
        setTitle((current) => current || prefill.title);
        setBody((current) => current || prefill.body);
        setWorking(undefined);
      },
      (caught: unknown) => {
        if (!isCurrent) return;
        setFailure(toGitFailure(caught));
        setWorking(undefined);
      },
    );
    return () => {
      isCurrent = false;
    };
  }, [api, session.id, isOpen]);

  const draft = async () => {
    setWorking('draft');
    setFailure(undefined);
    try {
      const drafted = await api.draftPullRequest(session.id);
      setTitle(drafted.title);
      setBody(drafted.body);
    } catch (caught) {
      setFailure(toGitFailure(caught));
    } finally {
      setWorking(undefined);
    }
  };

  const create = async (force = false) => {
    setWorking(force ? 'force' : 'create');
    setFailure(undefined);
    try {
      if (force) await api.push(session.id, { force: true });
      const created = await api.createPullRequest(session.id, { title, body, draft: isDraft });
      onCreated(created);
      setTitle('');
      setBody('');
      onClose();
    } catch (caught) {
      setFailure(toGitFailure(caught));
    } finally {
      setWorking(undefined);
    }
  };

  const isBusy = working !== undefined;
  return (
    <Modal
      isOpen={isOpen}
      title="Create a pull request"
      onClose={onClose}
      className="git-dialog is-wide"
      testId="pr-dialog"
    >
      <form
        className="git-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (title.trim() && !isBusy) void create();
        }}
      >
        <p className="muted small-text">
          Pushes <code>{session.branch}</code>, then opens a pull request into{' '}
          <code>{session.baseBranch}</code> on GitHub.
        </p>
        <div className="git-field-head">
          <label htmlFor={titleId}>Title</label>
          <button
            type="button"
            className="button small"
            onClick={() => void draft()}
            disabled={isBusy}
            data-testid="pr-draft"
          >
            {working === 'draft' ? 'Writing…' : 'Write with AI'}
          </button>
        </div>
        <input
          id={titleId}
          className="input"
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          maxLength={256}
          data-autofocus
          data-testid="pr-title"
          aria-busy={working === 'prefill' || working === 'draft'}
        />
        <label htmlFor={bodyId}>Description</label>
        <textarea
          id={bodyId}
          className="input git-message"
          rows={10}
          value={body}
          onChange={(event) => setBody(event.target.value)}
          data-testid="pr-body"
          aria-busy={working === 'prefill' || working === 'draft'}
        />
        <label className="git-choice">
          <input
            type="checkbox"
            checked={isDraft}
            onChange={(event) => setIsDraft(event.target.checked)}
            data-testid="pr-is-draft"
          />
          <span>Open as a draft</span>
        </label>
        <GitError failure={failure} testId="pr-error" />
        <div className="modal-actions">
          {failure?.code === 'push_rejected' && (
            <button
              type="button"
              className="button danger"
              disabled={isBusy || !title.trim()}
              onClick={() => void create(true)}
              data-testid="pr-force"
              title="git push --force-with-lease: refused if someone else pushed meanwhile"
            >
              {working === 'force' ? 'Pushing…' : 'Force push (with lease) and create'}
            </button>
          )}
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button primary"
            disabled={isBusy || !title.trim()}
            data-testid="pr-submit"
          >
            {working === 'create' ? 'Pushing and creating…' : 'Push and create'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
