import type { PullRequestCheck, PullRequestComment, PullRequestStatus } from '@chatml/protocol';
import { useState } from 'react';
import { useServices } from '../../app/services';
import { formatRelativeTime } from '../format';
import { useNow } from '../use-now';
import { GitError, type GitFailure, toGitFailure } from './git-errors';
import './git.css';
import { countOf } from '../format';

/** One word for a check: its conclusion when done, else where it is. */
function checkLabel(check: PullRequestCheck): string {
  if (check.status !== 'completed') return check.status === 'queued' ? 'queued' : 'running';
  return (check.conclusion ?? 'done').replace(/_/g, ' ');
}

function checkTone(check: PullRequestCheck): 'success' | 'failure' | 'pending' | 'neutral' {
  if (check.status !== 'completed') return 'pending';
  if (check.conclusion === 'success') return 'success';
  if (
    ['failure', 'timed_out', 'cancelled', 'action_required', 'startup_failure'].includes(
      check.conclusion ?? '',
    )
  )
    return 'failure';
  return 'neutral';
}

function checksSummary(status: PullRequestStatus): string {
  const { checks, checksState } = status;
  if (checksState === 'none') return 'No checks';
  const passed = checks.filter((check) => checkTone(check) === 'success').length;
  const failed = checks.filter((check) => checkTone(check) === 'failure').length;
  const pending = checks.filter((check) => checkTone(check) === 'pending').length;
  const parts = [`${passed}/${checks.length} passed`];
  if (failed > 0) parts.push(`${failed} failing`);
  if (pending > 0) parts.push(`${pending} running`);
  return `Checks: ${parts.join(', ')}`;
}

function mergeabilityLabel(status: PullRequestStatus): string {
  if (status.state !== 'open') return status.state === 'merged' ? 'Merged' : 'Closed';
  if (status.mergeable === null) return 'Mergeability not known yet';
  if (!status.mergeable) return 'Conflicts with the base branch';
  switch (status.mergeableState) {
    case 'clean':
      return 'Ready to merge';
    case 'blocked':
      return 'Mergeable, blocked by branch protection';
    case 'behind':
      return 'Mergeable, behind the base branch';
    case 'unstable':
      return 'Mergeable, with failing checks';
    default:
      return 'Mergeable';
  }
}

function commentPlace(comment: PullRequestComment): string {
  if (comment.kind === 'review')
    return `review${comment.reviewState ? ` · ${comment.reviewState.toLowerCase().replace(/_/g, ' ')}` : ''}`;
  if (comment.kind === 'issue_comment') return 'conversation';
  if (!comment.path) return 'review comment';
  return comment.line === null ? comment.path : `${comment.path}:${comment.line}`;
}

/**
 * The session's pull request as GitHub has it: state, draft, mergeability, checks with each one's
 * status, and the comments (review comments with file:line). "Send review comments to the agent"
 * puts the unresolved review threads into the conversation.
 */
export function PullRequestPanel({
  sessionId,
  status,
  failure,
  isRefreshing,
  onRefresh,
  onSentToAgent,
}: {
  sessionId: string;
  status: PullRequestStatus;
  failure: GitFailure | undefined;
  isRefreshing: boolean;
  onRefresh: () => void;
  onSentToAgent?: (count: number) => void;
}) {
  const { api } = useServices();
  const now = useNow(30_000);
  const [isSending, setIsSending] = useState(false);
  const [sendFailure, setSendFailure] = useState<GitFailure>();
  const [sentNote, setSentNote] = useState<string>();
  const reviewComments = status.comments.filter((comment) => comment.kind === 'review_comment');

  const sendToAgent = async () => {
    setIsSending(true);
    setSendFailure(undefined);
    setSentNote(undefined);
    try {
      const { count, queued } = await api.sendReviewCommentsToAgent(sessionId);
      const what = countOf(count, 'review comment');
      setSentNote(`Sent ${what} to the agent${queued ? '; it waits for the current turn' : ''}.`);
      onSentToAgent?.(count);
    } catch (caught) {
      setSendFailure(toGitFailure(caught));
    } finally {
      setIsSending(false);
    }
  };

  return (
    <section className="pr-panel" aria-label={`Pull request #${status.number}`} data-testid="pr-panel">
      <header className="pr-head">
        <a href={status.url} target="_blank" rel="noreferrer" className="pr-title" data-testid="pr-link">
          #{status.number} {status.title}
        </a>
        <span className={`pr-state is-${status.state}`} data-testid="pr-state">
          {status.state}
        </span>
        {status.isDraft && <span className="pr-state is-draft">draft</span>}
        <span className="spacer" />
        <span className="muted small-text">
          {status.headBranch} → {status.baseBranch} · updated {formatRelativeTime(status.fetchedAt, now)}
        </span>
        <button
          type="button"
          className="button small"
          onClick={onRefresh}
          disabled={isRefreshing}
          data-testid="pr-refresh"
          aria-label="Refresh the pull request status from GitHub"
        >
          {isRefreshing ? 'Refreshing…' : 'Refresh'}
        </button>
      </header>
      {status.rateLimitedUntil !== null && (
        <p className="notice is-warning" role="note">
          GitHub’s rate limit is used up; this is the last known status. Updates resume at{' '}
          {new Date(status.rateLimitedUntil).toLocaleTimeString()}.
        </p>
      )}
      <GitError failure={failure} />
      <p className="pr-facts">
        <span data-testid="pr-mergeable">{mergeabilityLabel(status)}</span>
        <span aria-hidden="true"> · </span>
        <span className={`pr-checks is-${status.checksState}`} data-testid="pr-checks-summary">
          {checksSummary(status)}
        </span>
      </p>
      {status.checks.length > 0 && (
        <ul className="pr-check-list" aria-label="Checks" data-testid="pr-checks">
          {status.checks.map((check) => (
            <li key={`${check.source}:${check.name}`} className={`pr-check is-${checkTone(check)}`}>
              <span className="pr-check-dot" aria-hidden="true" />
              {check.url ? (
                <a href={check.url} target="_blank" rel="noreferrer">
                  {check.name}
                </a>
              ) : (
                <span>{check.name}</span>
              )}
              <span className="pr-check-status">{checkLabel(check)}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="pr-comments-head">
        <h3 className="pr-subtitle">
          Comments ({status.comments.length}
          {reviewComments.length > 0 ? `, ${reviewComments.length} on code` : ''})
        </h3>
        <button
          type="button"
          className="button small"
          onClick={() => void sendToAgent()}
          disabled={isSending || reviewComments.length === 0}
          data-testid="pr-comments-to-agent"
          title={reviewComments.length === 0 ? 'There are no review comments on the code' : undefined}
        >
          {isSending ? 'Sending…' : 'Send review comments to the agent'}
        </button>
      </div>
      {sentNote && (
        <p className="muted" role="status" data-testid="pr-sent-note">
          {sentNote}
        </p>
      )}
      <GitError failure={sendFailure} testId="pr-send-error" />
      {status.comments.length === 0 ? (
        <p className="muted small-text">No comments yet.</p>
      ) : (
        <ol className="pr-comment-list" aria-label="Comments" data-testid="pr-comments">
          {status.comments.map((comment) => (
            <li
              key={comment.id}
              className={`pr-comment${comment.inReplyToId !== null ? ' is-reply' : ''}`}
              data-testid="pr-comment"
            >
              <div className="pr-comment-head">
                <strong>@{comment.author}</strong>
                <span className="pr-comment-place" data-testid="pr-comment-place">
                  {commentPlace(comment)}
                </span>
                {comment.isOutdated && <span className="pr-state is-outdated">outdated</span>}
                {comment.url && (
                  <a href={comment.url} target="_blank" rel="noreferrer" className="muted">
                    on GitHub
                  </a>
                )}
              </div>
              {comment.body && <p className="pr-comment-body">{comment.body}</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
