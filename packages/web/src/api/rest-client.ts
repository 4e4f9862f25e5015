import {
  BranchList,
  type CreateSessionBody,
  type CreateWorkspaceBody,
  DiffResponse,
  EventsResponse,
  Health,
  type PermissionDecisionBody,
  SendMessageResponse,
  Session,
  SessionFiles,
  SessionList,
  type UpdateSessionBody,
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

  async interrupt(sessionId: string): Promise<void> {
    await this.request('POST', `/sessions/${enc(sessionId)}/interrupt`, z.unknown());
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

  diff(sessionId: string): Promise<DiffResponse> {
    return this.request('GET', `/sessions/${enc(sessionId)}/diff`, DiffResponse);
  }

  private async request<Schema extends z.ZodType>(
    method: string,
    path: string,
    schema: Schema,
    body?: unknown,
  ): Promise<z.output<Schema>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw networkError(error);
    }
    if (!response.ok) throw await apiErrorFromResponse(response);
    const json: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
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
