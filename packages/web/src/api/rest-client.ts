import {
  BranchList,
  CancelMessageResponse,
  CommentsToAgentResponse,
  CommitDiff,
  CommitList,
  CommitMessageDraft,
  CommitResponse,
  type CreatePullRequestBody,
  CreatePullRequestResponse,
  type CreateSessionBody,
  type CreateWorkspaceBody,
  DiffResponse,
  DiscardResponse,
  EditableSettings,
  EventsResponse,
  FileAtRef,
  Health,
  type MergeBody,
  MergeResponse,
  type PermissionDecisionBody,
  PullRequestDraft,
  PullRequestStatusResponse,
  PushResponse,
  RestoreResponse,
  SendMessageResponse,
  Session,
  SessionFiles,
  SessionList,
  SyncResponse,
  type SyncStrategy,
  type UpdateSessionBody,
  type UpdateSettingsBody,
  Workspace,
  WorkspaceList,
} from '@chatml/protocol';
import { z } from 'zod';
import { ApiError, apiErrorFromResponse, networkError } from './api-error';

/** `/health` as the backend sends it (kept as a name the UI already uses). */
export const HealthDetails = Health;
export type HealthDetails = Health;

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Typed client for REST `/api/v1`. Every response is parsed with the protocol's schema; every failure
 * surfaces as an `ApiError` with the backend's code and message.
 */
export class ApiClient {
  private readonly fetchImpl: FetchLike;
  private readonly baseUrl: string;

  constructor(
    private readonly token: string,
    options: { baseUrl?: string; fetch?: FetchLike } = {},
  ) {
    this.baseUrl = options.baseUrl ?? '/api/v1';
    // Bound so a bare `fetch` keeps its `window` receiver when called as a method.
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  health(): Promise<HealthDetails> {
    return this.request('GET', '/health', HealthDetails);
  }

  /** The settings.json values the Settings screen edits, as the backend applies them now. */
  settings(): Promise<EditableSettings> {
    return this.request('GET', '/settings', EditableSettings);
  }

  /** Saved to settings.json and in effect at once; answers the values after the change. */
  updateSettings(body: UpdateSettingsBody): Promise<EditableSettings> {
    return this.request('PATCH', '/settings', EditableSettings, body);
  }

  /**
   * Forget a workspace (`DELETE /workspaces/:id`): its active sessions are archived first, which
   * saves their uncommitted work; the repository itself is never touched.
   */
  async removeWorkspace(workspaceId: string): Promise<void> {
    await this.request('DELETE', `/workspaces/${enc(workspaceId)}`, z.unknown());
  }

  async listWorkspaces(): Promise<Workspace[]> {
    return (await this.request('GET', '/workspaces', WorkspaceList)).workspaces;
  }

  addWorkspace(body: CreateWorkspaceBody): Promise<Workspace> {
    return this.request('POST', '/workspaces', Workspace, body);
  }

  async listSessions(workspaceId: string): Promise<Session[]> {
    return (await this.request('GET', `/workspaces/${enc(workspaceId)}/sessions`, SessionList)).sessions;
  }

  createSession(workspaceId: string, body: CreateSessionBody): Promise<Session> {
    return this.request('POST', `/workspaces/${enc(workspaceId)}/sessions`, Session, body);
  }

  updateSession(sessionId: string, body: UpdateSessionBody): Promise<Session> {
    return this.request('PATCH', `/sessions/${enc(sessionId)}`, Session, body);
  }

  sendMessage(sessionId: string, text: string): Promise<z.output<typeof SendMessageResponse>> {
    return this.request('POST', `/sessions/${enc(sessionId)}/messages`, SendMessageResponse, { text });
  }

  /** Takes back a queued message before its turn starts; `409 message_started` once it has. */
  async cancelMessage(sessionId: string, messageId: string): Promise<void> {
    await this.request(
      'DELETE',
      `/sessions/${enc(sessionId)}/messages/${enc(messageId)}`,
      CancelMessageResponse,
    );
  }

  /** Stops the running turn; with `turnId`, only if that turn is still the one running. */
  async interrupt(sessionId: string, turnId?: string): Promise<void> {
    await this.request(
      'POST',
      `/sessions/${enc(sessionId)}/interrupt`,
      z.unknown(),
      turnId === undefined ? undefined : { turnId },
    );
  }

  async decidePermission(sessionId: string, requestId: string, body: PermissionDecisionBody): Promise<void> {
    const path = `/sessions/${enc(sessionId)}/permissions/${enc(requestId)}`;
    await this.request('POST', path, z.unknown(), body);
  }

  events(sessionId: string, afterSeq: number, limit = 1000): Promise<EventsResponse> {
    const query = `after=${afterSeq}&limit=${limit}`;
    return this.request('GET', `/sessions/${enc(sessionId)}/events?${query}`, EventsResponse);
  }

  archiveSession(sessionId: string): Promise<Session> {
    return this.request('POST', `/sessions/${enc(sessionId)}/archive`, Session);
  }

  /** The worktree's files for the composer's `@` picker. */
  listFiles(sessionId: string): Promise<SessionFiles> {
    return this.request('GET', `/sessions/${enc(sessionId)}/files`, SessionFiles);
  }

  /** Branches a new session can start from. */
  listBranches(workspaceId: string): Promise<BranchList> {
    return this.request('GET', `/workspaces/${enc(workspaceId)}/branches`, BranchList);
  }

  diff(sessionId: string, signal?: AbortSignal): Promise<DiffResponse> {
    return this.request('GET', `/sessions/${enc(sessionId)}/diff`, DiffResponse, undefined, signal);
  }

  // ---- the way out: commits, discard, commit, sync, merge back, restore (docs/API.md "Git") ----

  /** Re-reads the session's git state (sync in progress, worktree missing); announced to every tab. */
  refreshGitState(sessionId: string): Promise<Session> {
    return this.request('GET', `/sessions/${enc(sessionId)}/git-state`, Session);
  }

  /** The session branch's own commits, newest first, and the paths with uncommitted changes. */
  commits(sessionId: string, signal?: AbortSignal): Promise<CommitList> {
    return this.request('GET', `/sessions/${enc(sessionId)}/commits`, CommitList, undefined, signal);
  }

  /** A file as it is at a commit (`GET /sessions/:id/file`). */
  fileAtRef(sessionId: string, ref: string, path: string): Promise<FileAtRef> {
    const query = new URLSearchParams({ ref, path });
    return this.request('GET', `/sessions/${enc(sessionId)}/file?${query}`, FileAtRef);
  }

  commitDiff(sessionId: string, sha: string): Promise<CommitDiff> {
    return this.request('GET', `/sessions/${enc(sessionId)}/commits/${enc(sha)}/diff`, CommitDiff);
  }

  /** Throws away the uncommitted changes of `paths` (untracked files are deleted). */
  discard(sessionId: string, paths: readonly string[]): Promise<DiscardResponse> {
    const body = { paths: [...paths], confirm: true };
    return this.request('POST', `/sessions/${enc(sessionId)}/discard`, DiscardResponse, body);
  }

  commit(sessionId: string, message: string): Promise<CommitResponse> {
    return this.request('POST', `/sessions/${enc(sessionId)}/commit`, CommitResponse, { message });
  }

  sync(sessionId: string, strategy: SyncStrategy): Promise<SyncResponse> {
    return this.request('POST', `/sessions/${enc(sessionId)}/sync`, SyncResponse, { strategy });
  }

  continueSync(sessionId: string): Promise<SyncResponse> {
    return this.request('POST', `/sessions/${enc(sessionId)}/sync/continue`, SyncResponse);
  }

  abortSync(sessionId: string): Promise<SyncResponse> {
    return this.request('POST', `/sessions/${enc(sessionId)}/sync/abort`, SyncResponse);
  }

  /** Sends the agent a message listing the conflicted files. */
  resolveConflictsWithAgent(sessionId: string): Promise<z.output<typeof SendMessageResponse>> {
    const path = `/sessions/${enc(sessionId)}/sync/resolve-with-agent`;
    return this.request('POST', path, SendMessageResponse);
  }

  /** Merge back into the base branch; a conflict is an ApiError with `conflicts`. */
  merge(sessionId: string, body: MergeBody): Promise<MergeResponse> {
    return this.request('POST', `/sessions/${enc(sessionId)}/merge`, MergeResponse, body);
  }

  restore(sessionId: string): Promise<RestoreResponse> {
    return this.request('POST', `/sessions/${enc(sessionId)}/restore`, RestoreResponse);
  }

  // ---- push, pull requests, AI drafts (docs/FORGE.md) ----

  push(sessionId: string, options: { force?: boolean } = {}): Promise<PushResponse> {
    return this.request('POST', `/sessions/${enc(sessionId)}/push`, PushResponse, options);
  }

  createPullRequest(sessionId: string, body: CreatePullRequestBody): Promise<CreatePullRequestResponse> {
    return this.request('POST', `/sessions/${enc(sessionId)}/pr`, CreatePullRequestResponse, body);
  }

  /** The session's PR as GitHub has it now, or null when the session has none (a 200, not a 404). */
  pullRequest(sessionId: string, signal?: AbortSignal): Promise<PullRequestStatusResponse> {
    const path = `/sessions/${enc(sessionId)}/pr`;
    return this.request('GET', path, PullRequestStatusResponse, undefined, signal);
  }

  pullRequestPrefill(sessionId: string): Promise<PullRequestDraft> {
    return this.request('GET', `/sessions/${enc(sessionId)}/pr/prefill`, PullRequestDraft);
  }

  /** Sends the unresolved review threads (or exactly `commentIds`) to the agent as one message. */
  sendReviewCommentsToAgent(
    sessionId: string,
    commentIds?: readonly number[],
  ): Promise<CommentsToAgentResponse> {
    const body = commentIds ? { commentIds: [...commentIds] } : {};
    return this.request(
      'POST',
      `/sessions/${enc(sessionId)}/pr/comments-to-agent`,
      CommentsToAgentResponse,
      body,
    );
  }

  draftCommitMessage(sessionId: string): Promise<CommitMessageDraft> {
    return this.request('POST', `/sessions/${enc(sessionId)}/drafts/commit-message`, CommitMessageDraft);
  }

  draftPullRequest(sessionId: string): Promise<PullRequestDraft> {
    return this.request('POST', `/sessions/${enc(sessionId)}/drafts/pr`, PullRequestDraft);
  }

  /**
   * `signal` cancels the request (the view that asked went away): the backend sees the connection
   * close and stops its work for it, and the promise rejects with an `aborted` ApiError.
   */
  private async request<Schema extends z.ZodType>(
    method: string,
    path: string,
    schema: Schema,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<z.output<Schema>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw new ApiError('aborted', 'The request was cancelled.', 0);
      throw networkError(error);
    }
    if (!response.ok) throw await apiErrorFromResponse(response);
    const json: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    // Cancelled while the body was read: not a response this UI failed to understand.
    if (signal?.aborted) throw new ApiError('aborted', 'The request was cancelled.', 0);
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      console.error(`unexpected response from ${method} ${path}`, parsed.error);
      throw new ApiError('bad_response', 'The backend sent a response this UI does not understand.', 0);
    }
    return parsed.data;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
