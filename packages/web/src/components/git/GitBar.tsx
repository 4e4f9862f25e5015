import type { MergeResponse, Session, SessionGitState, SyncResponse } from '@chatml/protocol';
import { useEffect, useState } from 'react';
import { useServices } from '../../app/services';
import { CommitDialog, describeCommit } from './CommitDialog';
import { type GitAction, useGitActionRequests } from './git-actions';
import { GitError, type GitFailure, shortSha, toGitFailure } from './git-errors';
import { MergeDialog } from './MergeDialog';
import { PullRequestDialog } from './PullRequestDialog';
import { PullRequestPanel } from './PullRequestPanel';
import { RestoreNotice } from './RestoreNotice';
import { SyncConflicts } from './SyncConflicts';
import { SyncDialog } from './SyncDialog';
import { useCommitList, usePullRequest } from './use-git-data';
import './git.css';
import { countOf } from '../format';

type Dialog = 'commit' | 'sync' | 'merge' | 'pull-request';

/**
 * A session's way out, under its header: Commit, Sync, Merge, Push and Pull request (each says why
 * it cannot run now), the conflict view of a stopped sync, restore for an archived session or a
 * missing worktree, and the PR's status. The palette reaches the same actions (`git-actions.ts`).
 */
export function GitBar({
  session,
  isRunning,
  refreshSignal = '',
}: {
  session: Session;
  isRunning: boolean;
  /** Changes whenever the worktree may have moved (turns ended, git operations such as a discard). */
  refreshSignal?: string;
}) {
  const { api } = useServices();
  const [dialog, setDialog] = useState<Dialog>();
  const [notice, setNotice] = useState<string>();
  const [failure, setFailure] = useState<GitFailure>();
  const [isPushing, setIsPushing] = useState(false);
  const [isPrOpen, setIsPrOpen] = useState(false);
  // A sync answer shows at once; the session_updated frame that follows takes over.
  const [answeredSync, setAnsweredSync] = useState<SessionGitState['sync'] | undefined>();
  const isArchived = session.status === 'archived';
  const gitState = session.gitState;
  const hasWorktree = !isArchived && !gitState?.worktreeMissing;
  // Read-only without a worktree, but the branch's commits are still listed (from the repository).
  // The counts changing (measured after a turn, or when the changes pane reads the diff) also means
  // the worktree moved: the uncommitted count here must follow.
  const {
    list,
    failure: listFailure,
    reload,
  } = useCommitList(
    session.id,
    `${session.updatedAt}:${session.status}:${isRunning}:${JSON.stringify(session.diffStats)}:${refreshSignal}`,
  );
  const pr = usePullRequest(session.id);

  const syncKey = JSON.stringify(gitState?.sync ?? null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new state from the backend replaces the answer
  useEffect(() => setAnsweredSync(undefined), [syncKey]);
  const sync = answeredSync !== undefined ? answeredSync : (gitState?.sync ?? null);

  const uncommittedCount = list?.uncommittedCount ?? 0;
  const commitCount = list?.commits.length ?? 0;
  const archivedReason = isArchived ? 'The session is archived; restore it first.' : undefined;
  const busyReason = isArchived
    ? archivedReason
    : gitState?.worktreeMissing
      ? 'The worktree is missing; restore it first.'
      : isRunning
        ? 'The agent is working; wait for its turn to end.'
        : sync
          ? `Finish the ${sync.strategy} first (continue or abort).`
          : undefined;
  // Until the first commit list arrives nobody knows whether there is anything to commit, merge or
  // push (a failed load leaves the buttons to the backend, which says why it refuses).
  const loadingReason = hasWorktree && !list && !listFailure ? 'Checking the branch’s commits…' : undefined;
  const commitReason =
    busyReason ?? loadingReason ?? (list && uncommittedCount === 0 ? 'Nothing to commit.' : undefined);
  // Untracked files do not stop a sync (git leaves them alone); edits to tracked files do. Being up
  // to date does not disable it: the base may have moved since the list was read, and the backend
  // answers "already up to date" itself.
  const syncReason =
    busyReason ??
    (list && list.trackedUncommittedCount > 0
      ? 'Commit or discard the changes to tracked files first.'
      : undefined);
  const behindBase = list?.behindBase ?? 0;
  const mergeReason =
    busyReason ??
    loadingReason ??
    (list && uncommittedCount > 0
      ? 'Commit or discard the uncommitted changes first.'
      : list && commitCount === 0
        ? `No commits to merge into ${session.baseBranch}.`
        : list?.mergedIntoBase
          ? `Already merged: ${session.baseBranch} has these changes.`
          : undefined);
  // An archived session is read-only: the backend could still push its branch, but new work on the
  // remote (a push, a PR) belongs to a session that is being worked on — restore it first.
  const pushReason =
    archivedReason ??
    (gitState?.branchMissing
      ? 'The branch is missing; restore the session first.'
      : sync
        ? `Finish the ${sync.strategy} first (continue or abort): the branch still has its old tip.`
        : loadingReason
          ? loadingReason
          : list && commitCount === 0
            ? 'No commits to push yet.'
            : undefined);
  const hint = commitReason ?? (uncommittedCount > 0 ? `${uncommittedCount} uncommitted` : undefined);

  // Files may change outside ChatML (an editor, a terminal): look again when the user comes back.
  useEffect(() => {
    if (!hasWorktree) return;
    const onFocus = () => void reload();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [hasWorktree, reload]);

  const open = (action: GitAction) => {
    setFailure(undefined);
    if (hasWorktree) void reload();
    if (action === 'push') void push();
    else if (action === 'pull-request-status') setIsPrOpen(true);
    else if (action === 'pull-request' && pr.status) setIsPrOpen(true);
    else setDialog(action);
  };
  useGitActionRequests(session.id, open);

  const afterChange = (message: string) => {
    setNotice(message);
    void reload();
  };

  const push = async (force = false) => {
    setIsPushing(true);
    setFailure(undefined);
    try {
      const pushed = await api.push(session.id, { force });
      afterChange(
        pushed.isUpdated
          ? `Pushed ${pushed.branch} to ${pushed.remote} (${shortSha(pushed.sha)})${pushed.isForced ? ', forced' : ''}.`
          : `${pushed.remote} already has ${shortSha(pushed.sha)}; nothing to push.`,
      );
      if (pr.status) void pr.refresh();
    } catch (caught) {
      setFailure(toGitFailure(caught));
    } finally {
      setIsPushing(false);
    }
  };

  const onSynced = (result: SyncResponse, step: 'sync' | 'continue' | 'abort') => {
    setAnsweredSync(result.ok ? null : { strategy: result.strategy, conflicts: result.conflicts });
    if (!result.ok) setNotice(undefined);
    else if (step === 'abort')
      afterChange(`Aborted the ${result.strategy}; the session is as it was before.`);
    else if (result.upToDate) afterChange(`Already up to date with ${session.baseBranch}.`);
    else afterChange(`Synced with ${session.baseBranch} (${result.strategy}).`);
  };

  const onMerged = (result: MergeResponse) => {
    const where = result.updatedCheckout ? `; updated the checkout at ${result.updatedCheckout}` : '';
    const archived = result.archived
      ? ` The session is archived${result.branchDeleted ? ' and its branch deleted.' : '.'}`
      : '';
    afterChange(
      `Merged into ${result.baseBranch} as ${shortSha(result.sha)} (${result.strategy})${where}.${archived}`,
    );
  };

  // aria-disabled rather than disabled: the button stays focusable, so a keyboard or screen reader
  // user reaches it and hears why it cannot run (its title, and the reason shown in the bar).
  const action = (
    label: string,
    testId: string,
    reason: string | undefined,
    run: () => void,
    isWorking = false,
  ) => {
    const isDisabled = reason !== undefined || isWorking;
    return (
      <button
        type="button"
        className="button small"
        onClick={() => {
          if (!isDisabled) run();
        }}
        aria-disabled={isDisabled}
        title={reason}
        aria-describedby={reason && reason === hint ? `git-reason-${session.id}` : undefined}
        data-testid={testId}
      >
        {label}
      </button>
    );
  };

  return (
    <div className="git-area">
      <fieldset className="git-bar" aria-label="Git" data-testid="git-bar">
        {/* What the branch is, then what can be done with it. The facts shrink and truncate first;
            when the buttons no longer fit beside them they wrap as one row of their own. */}
        <div className="git-info">
          <span className="git-branch" title={`${session.branch} → ${session.baseBranch}`}>
            {session.branch} <span aria-hidden="true">→</span>
            <span className="visually-hidden">into</span> {session.baseBranch}
          </span>
          {list && commitCount > 0 && (
            <span className="muted small-text">{countOf(commitCount, 'commit')}</span>
          )}
          {list?.mergedIntoBase && (
            <span
              className="git-badge is-merged"
              title={`Merging again would change nothing: ${session.baseBranch} has this branch’s changes (squash-merged?).`}
              data-testid="git-merged"
            >
              merged
            </span>
          )}
          {hasWorktree && behindBase > 0 && !list?.mergedIntoBase && (
            <span
              className="muted small-text"
              title={`${session.baseBranch} has ${countOf(behindBase, 'commit')} this branch does not have yet: Sync brings them in.`}
              data-testid="git-behind"
            >
              {behindBase} behind {session.baseBranch}
            </span>
          )}
          {hint && (
            <span
              id={`git-reason-${session.id}`}
              className="git-reason"
              title={hint}
              data-testid="git-reason"
            >
              {hint}
            </span>
          )}
        </div>
        <div className="git-actions trailing-group">
          {action('Commit…', 'git-commit', commitReason, () => open('commit'))}
          {action('Sync…', 'git-sync', syncReason, () => open('sync'))}
          {action('Merge…', 'git-merge', mergeReason, () => open('merge'))}
          {action(isPushing ? 'Pushing…' : 'Push', 'git-push', pushReason, () => void push(), isPushing)}
          {pr.status ? (
            <button
              type="button"
              className="button small"
              aria-expanded={isPrOpen}
              aria-controls={`pr-panel-${session.id}`}
              onClick={() => setIsPrOpen(!isPrOpen)}
              data-testid="pr-toggle"
            >
              PR #{pr.status.number} · {pr.status.isDraft ? 'draft' : pr.status.state}
              {pr.status.checksState !== 'none' && (
                <span
                  className={`pr-checks-dot is-${pr.status.checksState}`}
                  title={`checks: ${pr.status.checksState}`}
                >
                  <span className="visually-hidden">, checks {pr.status.checksState}</span>
                </span>
              )}
            </button>
          ) : (
            action('Create PR…', 'git-create-pr', pushReason, () => open('pull-request'))
          )}
        </div>
      </fieldset>
      {notice && (
        <p className="git-notice" role="status" data-testid="git-notice">
          {notice}
          <button
            type="button"
            className="link-button"
            onClick={() => setNotice(undefined)}
            aria-label="Dismiss"
          >
            ×
          </button>
        </p>
      )}
      <GitError failure={failure} testId="git-error" />
      {failure?.code === 'push_rejected' && (
        <p className="git-notice">
          <button
            type="button"
            className="button small danger"
            onClick={() => void push(true)}
            data-testid="git-force-push"
          >
            Force push with lease
          </button>
          <span className="muted">
            overwrites the remote branch only if nobody else pushed to it meanwhile
          </span>
        </p>
      )}
      {(isArchived || gitState?.worktreeMissing || gitState?.branchMissing) && (
        <RestoreNotice session={session} onRestored={(message) => afterChange(message)} />
      )}
      {sync && hasWorktree && (
        <SyncConflicts
          session={session}
          sync={sync}
          isRunning={isRunning}
          onResult={(result, step) => onSynced(result, step)}
          onAskedAgent={() =>
            setNotice('The agent got the list of conflicted files; continue once it is done.')
          }
        />
      )}
      {pr.status && isPrOpen && (
        <div id={`pr-panel-${session.id}`}>
          <PullRequestPanel
            sessionId={session.id}
            status={pr.status}
            failure={pr.failure}
            isRefreshing={pr.isRefreshing}
            onRefresh={() => void pr.refresh()}
          />
        </div>
      )}
      <CommitDialog
        session={session}
        isOpen={dialog === 'commit'}
        uncommitted={list?.uncommitted ?? []}
        uncommittedCount={uncommittedCount}
        onClose={() => setDialog(undefined)}
        onCommitted={(sha, message) => afterChange(describeCommit(sha, message))}
      />
      <SyncDialog
        session={session}
        behindBase={list?.behindBase ?? null}
        isOpen={dialog === 'sync'}
        onClose={() => setDialog(undefined)}
        onSynced={(result) => onSynced(result, 'sync')}
      />
      <MergeDialog
        session={session}
        isOpen={dialog === 'merge'}
        commitCount={commitCount}
        onClose={() => setDialog(undefined)}
        onMerged={onMerged}
      />
      <PullRequestDialog
        session={session}
        isOpen={dialog === 'pull-request'}
        onClose={() => setDialog(undefined)}
        onCreated={(created) => {
          afterChange(
            created.isExisting
              ? `Pushed; pull request #${created.number} already existed and is linked.`
              : `Opened pull request #${created.number}.`,
          );
          setIsPrOpen(true);
          void pr.refresh();
        }}
      />
    </div>
  );
}
