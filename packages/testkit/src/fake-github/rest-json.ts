import type {
  CheckRunRecord,
  CommitStatusRecord,
  IssueCommentRecord,
  PullRecord,
  ReviewCommentRecord,
  ReviewRecord,
} from './records.js';

/**
 * Records as GitHub's REST API returns them: snake_case fields, nested `user`/`repo` objects and
 * `html_url`s. Kept apart from the state so every wire shape can be checked against GitHub's docs in
 * one place. Only the fields ChatML reads are filled in.
 */

/** What a record's JSON needs to know about the repository it belongs to. */
export interface RepoIdentity {
  readonly owner: string;
  readonly name: string;
  readonly fullName: string;
  readonly htmlBase: string;
}

export function pullJson(repo: RepoIdentity, pull: PullRecord, apiBase: string) {
  const repoJson = { full_name: repo.fullName, name: repo.name, owner: { login: repo.owner } };
  return {
    id: pull.id,
    number: pull.number,
    url: `${apiBase}/repos/${repo.fullName}/pulls/${pull.number}`,
    html_url: `${repo.htmlBase}/${repo.fullName}/pull/${pull.number}`,
    state: pull.state,
    draft: pull.draft,
    merged: pull.merged,
    merged_at: pull.mergedAt,
    closed_at: pull.closedAt,
    mergeable: pull.state === 'open' ? pull.mergeable : null,
    mergeable_state: pull.mergeableState,
    title: pull.title,
    body: pull.body,
    user: { login: pull.user },
    head: { ref: pull.head, sha: pull.headSha, label: `${repo.owner}:${pull.head}`, repo: repoJson },
    base: { ref: pull.base, sha: pull.baseSha, label: `${repo.owner}:${pull.base}`, repo: repoJson },
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
  };
}

export function reviewCommentJson(repo: RepoIdentity, comment: ReviewCommentRecord) {
  return {
    id: comment.id,
    pull_request_review_id: comment.reviewId,
    path: comment.path,
    line: comment.line,
    original_line: comment.originalLine,
    position: comment.line,
    side: comment.side,
    body: comment.body,
    user: { login: comment.user },
    in_reply_to_id: comment.inReplyToId,
    commit_id: comment.commitId,
    html_url: `${repo.htmlBase}/${repo.fullName}/pull/${comment.pull}#discussion_r${comment.id}`,
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
  };
}

export function reviewJson(repo: RepoIdentity, review: ReviewRecord) {
  return {
    id: review.id,
    state: review.state,
    body: review.body,
    user: { login: review.user },
    commit_id: review.commitId,
    submitted_at: review.submittedAt,
    html_url: `${repo.htmlBase}/${repo.fullName}/pull/${review.pull}#pullrequestreview-${review.id}`,
  };
}

export function issueCommentJson(repo: RepoIdentity, comment: IssueCommentRecord) {
  return {
    id: comment.id,
    body: comment.body,
    user: { login: comment.user },
    html_url: `${repo.htmlBase}/${repo.fullName}/pull/${comment.issue}#issuecomment-${comment.id}`,
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
  };
}

export function checkRunsJson(repo: RepoIdentity, sha: string, runs: readonly CheckRunRecord[]) {
  return {
    total_count: runs.length,
    check_runs: runs.map((run) => ({
      id: run.id,
      name: run.name,
      head_sha: sha,
      status: run.status ?? 'completed',
      conclusion: (run.status ?? 'completed') === 'completed' ? (run.conclusion ?? 'success') : null,
      details_url: run.detailsUrl ?? null,
      html_url: `${repo.htmlBase}/${repo.fullName}/runs/${run.id}`,
      started_at: run.startedAt,
    })),
  };
}

/** GitHub's combined state: any error or failure fails it; any pending, or none at all, keeps it pending. */
export function combinedStatusJson(sha: string, statuses: readonly CommitStatusRecord[]) {
  const states = statuses.map((status) => status.state);
  const state =
    states.includes('error') || states.includes('failure')
      ? 'failure'
      : states.includes('pending') || states.length === 0
        ? 'pending'
        : 'success';
  return {
    state,
    sha,
    total_count: statuses.length,
    statuses: statuses.map((status) => ({
      id: status.id,
      context: status.context,
      state: status.state,
      description: status.description ?? null,
      target_url: status.targetUrl ?? null,
      created_at: status.createdAt,
    })),
  };
}
