import { z } from 'zod';

/**
 * REST API v1 for the way out through a forge (GitHub and GitHub Enterprise): push the session
 * branch, open a pull request, follow its state, checks and review comments, and hand review
 * comments to the agent. Also the AI drafts of commit messages and PR texts. See docs/FORGE.md.
 */

// ---- push --------------------------------------------------------------------------------------

export const PushBody = z
  .object({
    /** Overwrite the remote branch with `--force-with-lease` (only what this clone last saw). */
    force: z.boolean().optional(),
  })
  .strict();
export type PushBody = z.output<typeof PushBody>;

export const PushResponse = z.object({
  /** The git remote pushed to (its name, e.g. `origin`). */
  remote: z.string(),
  branch: z.string(),
  /** The commit the remote branch now points at. */
  sha: z.string(),
  /** False when the remote already had this commit (nothing was sent). */
  isUpdated: z.boolean(),
  isForced: z.boolean(),
});
export type PushResponse = z.output<typeof PushResponse>;

// ---- pull requests -----------------------------------------------------------------------------

export const CreatePullRequestBody = z
  .object({
    title: z.string().trim().min(1).max(256),
    body: z.string().max(65_536).default(''),
    draft: z.boolean().optional(),
  })
  .strict();
export type CreatePullRequestBody = z.output<typeof CreatePullRequestBody>;

export const CreatePullRequestResponse = z.object({
  number: z.number().int().positive(),
  url: z.string(),
  /** True when an open PR for this branch already existed; it is linked to the session, not re-created. */
  isExisting: z.boolean(),
});
export type CreatePullRequestResponse = z.output<typeof CreatePullRequestResponse>;

export const PullRequestState = z.enum(['open', 'closed', 'merged']);
export type PullRequestState = z.output<typeof PullRequestState>;

/** One check: a GitHub check run (Actions, apps) or a commit status (older CI integrations). */
export const PullRequestCheck = z.object({
  name: z.string(),
  source: z.enum(['check_run', 'status']),
  /** `queued`/`in_progress` while running; `completed` with a conclusion after. */
  status: z.enum(['queued', 'in_progress', 'completed']),
  /** GitHub's conclusion (`success`, `failure`, `neutral`, `cancelled`, `skipped`, `timed_out`, `action_required`) or null while running. */
  conclusion: z.string().nullable(),
  url: z.string().nullable(),
});
export type PullRequestCheck = z.output<typeof PullRequestCheck>;

export const PullRequestComment = z.object({
  id: z.number().int(),
  /** `review_comment`: on a line of the diff; `review`: a review's summary; `issue_comment`: the conversation tab. */
  kind: z.enum(['review_comment', 'review', 'issue_comment']),
  author: z.string(),
  body: z.string(),
  /** File and line for review comments; null otherwise (or when the line no longer exists). */
  path: z.string().nullable(),
  line: z.number().int().nullable(),
  /** For replies: the id of the review comment that started the thread. */
  inReplyToId: z.number().int().nullable(),
  /** A review comment whose line is gone from the current diff (GitHub's "outdated"). */
  isOutdated: z.boolean(),
  /** For `review`: APPROVED, CHANGES_REQUESTED, COMMENTED, … */
  reviewState: z.string().nullable(),
  url: z.string().nullable(),
  createdAt: z.string(),
});
export type PullRequestComment = z.output<typeof PullRequestComment>;

export const PullRequestStatus = z.object({
  number: z.number().int().positive(),
  url: z.string(),
  state: PullRequestState,
  isDraft: z.boolean(),
  title: z.string(),
  /** GitHub computes this lazily: null means "not known yet", not "conflicting". */
  mergeable: z.boolean().nullable(),
  /** GitHub's `mergeable_state`: clean, dirty (conflicts), blocked, behind, unstable, unknown, … */
  mergeableState: z.string().nullable(),
  headBranch: z.string(),
  headSha: z.string(),
  baseBranch: z.string(),
  checks: z.array(PullRequestCheck),
  /** Rolled up: `none` (no checks), `pending`, `success` or `failure`. */
  checksState: z.enum(['none', 'pending', 'success', 'failure']),
  comments: z.array(PullRequestComment),
  /** When this status was fetched from GitHub (ms since the epoch). */
  fetchedAt: z.number().int(),
  /** Set while GitHub's rate limit is exhausted: polling resumes at this time (ms since the epoch). */
  rateLimitedUntil: z.number().int().nullable(),
});
export type PullRequestStatus = z.output<typeof PullRequestStatus>;

/**
 * `GET /sessions/:id/pr`: the PR's status, or null while the session has none — the usual case,
 * so it is an answer (200), not a 404.
 */
export const PullRequestStatusResponse = PullRequestStatus.nullable();
export type PullRequestStatusResponse = z.output<typeof PullRequestStatusResponse>;

/** A session's linked PR as last seen (no GitHub call): for lists and badges. */
export const SessionPullRequest = z.object({
  sessionId: z.string(),
  number: z.number().int().positive(),
  url: z.string(),
  /** The last status fetched (null until the first fetch). */
  status: PullRequestStatus.nullable(),
});
export type SessionPullRequest = z.output<typeof SessionPullRequest>;

export const SessionPullRequestList = z.object({ pullRequests: z.array(SessionPullRequest) });
export type SessionPullRequestList = z.output<typeof SessionPullRequestList>;

export const CommentsToAgentBody = z
  .object({
    /** Send only these comments (ids from `GET …/pr`); default: every unresolved review comment. */
    commentIds: z.array(z.number().int()).max(500).optional(),
  })
  .strict();
export type CommentsToAgentBody = z.output<typeof CommentsToAgentBody>;

export const CommentsToAgentResponse = z.object({
  messageId: z.string(),
  queued: z.boolean(),
  /** How many comments the message carries. */
  count: z.number().int().nonnegative(),
});
export type CommentsToAgentResponse = z.output<typeof CommentsToAgentResponse>;

/** WS frame sent to every client when a session's PR changed (state, checks, comments). */
export const PullRequestUpdatedFrame = z.object({
  type: z.literal('pull_request_updated'),
  sessionId: z.string(),
  pullRequest: PullRequestStatus,
});
export type PullRequestUpdatedFrame = z.output<typeof PullRequestUpdatedFrame>;

// ---- AI drafts ---------------------------------------------------------------------------------

export const CommitMessageDraft = z.object({ message: z.string() });
export type CommitMessageDraft = z.output<typeof CommitMessageDraft>;

export const PullRequestDraft = z.object({ title: z.string(), body: z.string() });
export type PullRequestDraft = z.output<typeof PullRequestDraft>;
