import type { CommitDiff, CommitInfo } from '@chatml/protocol';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useServices } from '../../app/services';
import { FileTree } from '../changes/FileTree';
import { formatRelativeTime } from '../format';
import { Modal } from '../Modal';
import { useNow } from '../use-now';
import { GitError, type GitFailure, shortSha, toGitFailure } from './git-errors';
import { useCommitList } from './use-git-data';
import './git.css';

// The changes pane's viewer, loaded the same lazy way it loads it.
const FileDiffView = lazy(() =>
  import('../changes/FileDiffView').then((module) => ({ default: module.FileDiffView })),
);

/**
 * The session branch's own commits (newest first) for the changes pane; each opens its diff
 * against its parent in the same viewer the pane uses.
 */
export function SessionCommits({ sessionId, version }: { sessionId: string; version: unknown }) {
  const { list, failure } = useCommitList(sessionId, version);
  const [shown, setShown] = useState<CommitInfo>();
  const now = useNow(60_000);
  if (!list && !failure) return null;
  const commits = list?.commits ?? [];
  return (
    <details className="session-commits" open={commits.length > 0} data-testid="session-commits">
      <summary>
        Commits on this branch ({commits.length})
        {list && list.uncommittedCount > 0 && (
          <span className="muted"> · {list.uncommittedCount} uncommitted</span>
        )}
      </summary>
      <GitError failure={failure} />
      {list?.unavailableReason === 'branch_missing' ? (
        <p className="empty-state small" data-testid="session-commits-unavailable">
          The branch is gone (deleted after merging back, or by hand); restoring the session re-creates it.
        </p>
      ) : commits.length === 0 ? (
        <p className="empty-state small">No commits yet: the changes above are all uncommitted.</p>
      ) : (
        <ul className="commit-list" aria-label="Commits">
          {commits.map((commit) => (
            <li key={commit.sha}>
              <button
                type="button"
                className="commit-item"
                onClick={() => setShown(commit)}
                data-testid="commit-item"
                aria-label={`Commit ${shortSha(commit.sha)}: ${commit.subject}, by ${commit.authorName}`}
              >
                <code className="commit-sha">{shortSha(commit.sha)}</code>
                <span className="commit-subject">{commit.subject}</span>
                <span className="muted small-text">{formatRelativeTime(commit.authoredAt, now)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <CommitDiffDialog sessionId={sessionId} commit={shown} onClose={() => setShown(undefined)} />
    </details>
  );
}

function CommitDiffDialog({
  sessionId,
  commit,
  onClose,
}: {
  sessionId: string;
  commit: CommitInfo | undefined;
  onClose: () => void;
}) {
  const { api } = useServices();
  const [diff, setDiff] = useState<CommitDiff>();
  const [failure, setFailure] = useState<GitFailure>();
  const [selectedPath, setSelectedPath] = useState<string>();
  const sha = commit?.sha;
  useEffect(() => {
    if (!sha) return;
    let isCurrent = true;
    setDiff(undefined);
    setFailure(undefined);
    setSelectedPath(undefined);
    api.commitDiff(sessionId, sha).then(
      (loaded) => isCurrent && setDiff(loaded),
      (caught: unknown) => isCurrent && setFailure(toGitFailure(caught)),
    );
    return () => {
      isCurrent = false;
    };
  }, [api, sessionId, sha]);
  const files = diff?.files ?? [];
  const selected = files.find((file) => file.path === selectedPath) ?? files[0];
  return (
    <Modal
      isOpen={commit !== undefined}
      title={commit ? `${shortSha(commit.sha)} ${commit.subject}` : 'Commit'}
      onClose={onClose}
      className="git-dialog is-diff"
      testId="commit-diff-dialog"
    >
      {commit && (
        <p className="muted small-text">
          {commit.authorName} &lt;{commit.authorEmail}&gt; · {new Date(commit.authoredAt).toLocaleString()}
        </p>
      )}
      {commit?.body && <pre className="commit-body">{commit.body}</pre>}
      <GitError failure={failure} />
      {!diff && !failure && <p className="empty-state small">Loading the commit…</p>}
      {diff && files.length === 0 && <p className="empty-state small">This commit changes no files.</p>}
      {files.length > 0 && (
        <div className="commit-diff">
          <FileTree files={files} selectedPath={selected?.path} onSelect={setSelectedPath} />
          {selected && (
            <Suspense fallback={<p className="empty-state small">Loading the diff…</p>}>
              <FileDiffView key={selected.path} file={selected} mode="unified" loadFile={undefined} />
            </Suspense>
          )}
        </div>
      )}
      <div className="modal-actions">
        <button type="button" className="button" onClick={onClose} data-autofocus>
          Close
        </button>
      </div>
    </Modal>
  );
}
