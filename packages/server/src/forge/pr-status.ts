import type { PullRequestCheck, PullRequestComment, PullRequestStatus } from '@chatml/protocol';
import type {
  GhCheckRuns,
  GhCombinedStatus,
  GhIssueComment,
  GhPull,
  GhReview,
  GhReviewComment,
} from './github-client.js';

/** Everything fetched for one PR; each part is the latest answer (a 304 keeps the previous one). */
export interface PullRequestParts {
  pull: GhPull;
  reviewComments: GhReviewComment[];
  reviews: GhReview[];
  issueComments: GhIssueComment[];
  checkRuns: GhCheckRuns;
  combinedStatus: GhCombinedStatus;
}

/** The API's view of a PR, built from GitHub's answers. */
export function toPullRequestStatus(
  parts: PullRequestParts,
  fetchedAt: number,
  rateLimitedUntil: number | null,
): PullRequestStatus {
  const { pull } = parts;
  const checks = toChecks(parts.checkRuns, parts.combinedStatus);
  return {
    number: pull.number,
    url: pull.html_url,
    state: pull.merged || pull.merged_at ? 'merged' : pull.state,
    isDraft: pull.draft === true,
    title: pull.title,
    mergeable: pull.mergeable ?? null,
    mergeableState: pull.mergeable_state ?? null,
    headBranch: pull.head.ref,
    headSha: pull.head.sha,
    baseBranch: pull.base.ref,
    checks,
    checksState: rollUp(checks),
    comments: toComments(parts),
    fetchedAt,
    rateLimitedUntil,
  };
}

function toChecks(runs: GhCheckRuns, combined: GhCombinedStatus): PullRequestCheck[] {
  const fromRuns: PullRequestCheck[] = runs.check_runs.map((run) => ({
    name: run.name,
    source: 'check_run',
    status: run.status === 'queued' || run.status === 'in_progress' ? run.status : 'completed',
    conclusion: run.status === 'completed' ? run.conclusion : null,
    url: run.details_url ?? run.html_url ?? null,
  }));
  const fromStatuses: PullRequestCheck[] = combined.statuses.map((status) => ({
    name: status.context,
    source: 'status',
    status: status.state === 'pending' ? 'in_progress' : 'completed',
    conclusion: status.state === 'pending' ? null : status.state === 'error' ? 'failure' : status.state,
    url: status.target_url,
  }));
  return [...fromRuns, ...fromStatuses];
}

const PASSING = new Set(['success', 'neutral', 'skipped']);

function rollUp(checks: PullRequestCheck[]): PullRequestStatus['checksState'] {
  if (checks.length === 0) return 'none';
  if (checks.some((check) => check.status === 'completed' && !PASSING.has(check.conclusion ?? '')))
    return 'failure';
  if (checks.some((check) => check.status !== 'completed')) return 'pending';
  return 'success';
}

function toComments(parts: PullRequestParts): PullRequestComment[] {
  const review: PullRequestComment[] = parts.reviewComments.map((comment) => ({
    id: comment.id,
    kind: 'review_comment',
    author: comment.user?.login ?? 'ghost',
    body: comment.body,
    path: comment.path,
    line: comment.line ?? null,
    inReplyToId: comment.in_reply_to_id ?? null,
    isOutdated: comment.line === null || comment.line === undefined,
    reviewState: null,
    url: comment.html_url,
    createdAt: comment.created_at,
  }));
  const reviews: PullRequestComment[] = parts.reviews
    .filter((item) => (item.body ?? '').trim() !== '' && item.state !== 'PENDING')
    .map((item) => ({
      id: item.id,
      kind: 'review',
      author: item.user?.login ?? 'ghost',
      body: item.body ?? '',
      path: null,
      line: null,
      inReplyToId: null,
      isOutdated: false,
      reviewState: item.state,
      url: item.html_url,
      createdAt: item.submitted_at ?? '',
    }));
  const issue: PullRequestComment[] = parts.issueComments.map((comment) => ({
    id: comment.id,
    kind: 'issue_comment',
    author: comment.user?.login ?? 'ghost',
    body: comment.body ?? '',
    path: null,
    line: null,
    inReplyToId: null,
    isOutdated: false,
    reviewState: null,
    url: comment.html_url,
    createdAt: comment.created_at,
  }));
  return [...review, ...reviews, ...issue].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id,
  );
}

/**
 * The review comments the agent should address, as threads (first comment + replies):
 * - with `resolved` (from GraphQL: thread root id → resolved?), every thread not marked resolved,
 *   outdated ones included;
 * - without it (GraphQL unavailable), threads on lines that still exist: an outdated thread — its
 *   line is gone — is taken as dealt with.
 * `ids` picks comments explicitly instead.
 */
export function unresolvedThreads(
  comments: readonly PullRequestComment[],
  ids?: readonly number[],
  resolved?: ReadonlyMap<number, boolean>,
): PullRequestComment[][] {
  const reviewComments = comments.filter((comment) => comment.kind === 'review_comment');
  const roots = reviewComments.filter((comment) =>
    ids ? ids.includes(comment.id) && comment.inReplyToId === null : comment.inReplyToId === null,
  );
  const isOpen = (root: PullRequestComment) => (resolved ? resolved.get(root.id) !== true : !root.isOutdated);
  const threads = roots
    .filter((root) => ids !== undefined || isOpen(root))
    .map((root) => [root, ...reviewComments.filter((reply) => reply.inReplyToId === root.id)]);
  if (!ids) return threads;
  // Explicitly chosen comments that are not thread roots (replies, reviews, conversation comments).
  const inThreads = new Set(threads.flat().map((comment) => comment.id));
  const others = comments.filter((comment) => ids.includes(comment.id) && !inThreads.has(comment.id));
  return [...threads, ...others.map((comment) => [comment])];
}

/** The message that hands review comments to the agent. */
export function reviewCommentsMessage(
  pull: { number: number; url: string },
  threads: readonly PullRequestComment[][],
): string {
  const lines = [
    `Please address these review comments on pull request #${pull.number} (${pull.url}).`,
    'Change the code where a comment asks for it; if you disagree with one, say why instead of changing it.',
    '',
  ];
  threads.forEach((thread, index) => {
    const [first, ...replies] = thread;
    if (!first) return;
    const where = first.path
      ? `${first.path}${first.line !== null ? `:${first.line}` : first.isOutdated ? ' (outdated: the line has changed since)' : ''}`
      : 'general';
    lines.push(`${index + 1}. ${where} — @${first.author}:`);
    lines.push(indent(first.body));
    for (const reply of replies) lines.push(`   ↳ @${reply.author}:`, indent(reply.body, 5));
    lines.push('');
  });
  lines.push('The changes will be pushed to the pull request afterwards.');
  return lines.join('\n');
}

function indent(text: string, spaces = 3): string {
  const pad = ' '.repeat(spaces);
  return text
    .trim()
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}
