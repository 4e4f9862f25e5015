import type { CommitList, PullRequestStatus } from '@chatml/protocol';
import { useCallback, useEffect, useState } from 'react';
import { useLatestRequest } from '../../api/use-latest-request';
import { useServices } from '../../app/services';
import { type GitFailure, toGitFailure } from './git-errors';

/**
 * The session branch's commits and uncommitted paths, reloaded whenever `version` changes (the
 * caller passes what moves when the worktree may have: the session's `updatedAt`, a turn count).
 * An archived session's list comes from its kept branch (nothing uncommitted); a retired branch
 * gives an empty list with `unavailableReason`.
 */
export function useCommitList(sessionId: string, version: unknown) {
  const { api } = useServices();
  const [list, setList] = useState<CommitList>();
  const [failure, setFailure] = useState<GitFailure>();
  const start = useLatestRequest();
  const reload = useCallback(async () => {
    const signal = start();
    try {
      const next = await api.commits(sessionId, signal);
      if (signal.aborted) return;
      setList(next);
      setFailure(undefined);
    } catch (caught) {
      if (!signal.aborted) setFailure(toGitFailure(caught));
    }
  }, [api, sessionId, start]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the reason to reload
  useEffect(() => {
    void reload();
  }, [reload, version]);
  return { list, failure, reload };
}

/**
 * The session's pull request: fetched on mount and on `refresh()` (GitHub answers unchanged parts
 * with 304s, so this is cheap), then kept current by the `pull_request_updated` frames the backend's
 * poller sends. `status` is undefined while loading and null when the session has no PR.
 */
export function usePullRequest(sessionId: string) {
  const { api, ws } = useServices();
  const [status, setStatus] = useState<PullRequestStatus | null>();
  const [failure, setFailure] = useState<GitFailure>();
  const [isRefreshing, setIsRefreshing] = useState(false);
  const start = useLatestRequest();

  const refresh = useCallback(async () => {
    const signal = start();
    setIsRefreshing(true);
    try {
      const next = await api.pullRequest(sessionId, signal);
      if (signal.aborted) return;
      setStatus(next);
      setFailure(undefined);
    } catch (caught) {
      if (signal.aborted) return;
      setFailure(toGitFailure(caught));
      // Unknown is not "none": keep a status we had, else stop showing "loading".
      setStatus((current) => current ?? null);
    } finally {
      if (!signal.aborted) setIsRefreshing(false);
    }
  }, [api, sessionId, start]);

  useEffect(() => {
    void refresh();
    return ws.onFrame((frame) => {
      if (frame.type !== 'pull_request_updated' || frame.sessionId !== sessionId) return;
      // A pushed update supersedes a request still in flight.
      start();
      setIsRefreshing(false);
      setStatus(frame.pullRequest);
      setFailure(undefined);
    });
  }, [ws, sessionId, refresh, start]);

  return { status, failure, isRefreshing, refresh };
}
