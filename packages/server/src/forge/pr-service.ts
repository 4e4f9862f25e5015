import type {
  CommentsToAgentResponse,
  CreatePullRequestBody,
  CreatePullRequestResponse,
  PullRequestDraft,
  PullRequestStatus,
  PushResponse,
  Session,
  SessionPullRequestList,
  Workspace,
} from '@chatml/protocol';
import { AppError, ConflictError, NotFoundError } from '../errors.js';
import { detectSyncInProgress } from '../git/sync-state.js';
import { hasWorktree } from '../git/worktree-presence.js';
import type { Logger } from '../logger.js';
import type { SessionManager } from '../sessions/session-manager.js';
import type { EventStore } from '../store/event-store.js';
import type { WorkspaceStore } from '../store/workspace-store.js';
import { type CredentialSource, type GitHubToken, resolveGitHubToken } from './credentials.js';
import { ForgeError, GitHubTokenMissingError } from './forge-errors.js';
import type { GitHubClient } from './github-client.js';
import type { PullRequestPoller } from './pr-poller.js';
import { reviewCommentsMessage, unresolvedThreads } from './pr-status.js';
import type { PullRequestLink, PullRequestStore } from './pr-store.js';
import { findPullRequestTemplate } from './pr-template.js';
import { pushBranch } from './push.js';
import type { RateLimits } from './rate-limit.js';
import { chooseRemote, type GitHubRepo, toGitHubRepo } from './remote.js';

export interface PullRequestServiceDeps {
  sessions: SessionManager;
  workspaces: WorkspaceStore;
  events: EventStore;
  store: PullRequestStore;
  rateLimits: RateLimits;
  /** Asked in order for a token (credential store, then GITHUB_TOKEN, then `gh auth token`). */
  credentialSources: readonly CredentialSource[];
  /** The configured REST API URL (settings, else `GITHUB_API_URL`), or undefined for github.com. */
  githubApiUrl: string | undefined;
  logger: Logger;
}

/** How long a resolved token is reused before the sources are asked again (`gh` is a process). */
const TOKEN_TTL_MS = 5 * 60_000;

/** An action needs the session's PR and none is linked yet (reading the status answers null instead). */
export class NoPullRequestError extends AppError {
  constructor(sessionId: string) {
    super(
      'not_found',
      `Session ${sessionId} has no pull request yet — open one with POST /api/v1/sessions/${sessionId}/pr.`,
      404,
    );
  }
}

/**
 * Push, pull requests and the review loop for sessions: resolves the remote, the GitHub repository
 * and a token, pushes the session branch, opens (or links) the PR, and serves its status through
 * the poller. See docs/FORGE.md.
 */
export class PullRequestService {
  private readonly tokens = new Map<string, { token: GitHubToken; expiresAt: number }>();
  private poller: PullRequestPoller | undefined;

  constructor(private readonly deps: PullRequestServiceDeps) {}

  /** The poller is created with `clientFor` from this service, so it is attached after both exist. */
  attachPoller(poller: PullRequestPoller): void {
    this.poller = poller;
  }

  async push(sessionId: string, options: { force?: boolean } = {}): Promise<PushResponse> {
    const { session, workspace } = this.context(sessionId);
    // Mid-sync the branch still points at its tip from before the rebase or merge: pushing it now
    // would publish what the user is in the middle of replacing.
    const sync = hasWorktree(session.worktreePath) ? await detectSyncInProgress(session.worktreePath) : null;
    if (sync) {
      throw new ConflictError(
        `A ${sync.strategy} with ${session.baseBranch} is in progress — continue or abort it before pushing.`,
      );
    }
    const remote = await chooseRemote(workspace.path, session.baseBranch);
    const result = await pushBranch({
      // Pushing needs refs, not files: an archived session's branch can still go out.
      worktreePath: hasWorktree(session.worktreePath) ? session.worktreePath : workspace.path,
      remote,
      branch: session.branch,
      force: options.force,
    });
    if (result.isUpdated && this.deps.store.get(sessionId)) this.refreshInBackground(sessionId);
    return result;
  }

  async create(sessionId: string, body: CreatePullRequestBody): Promise<CreatePullRequestResponse> {
    const { session, workspace } = this.context(sessionId);
    const remote = await chooseRemote(workspace.path, session.baseBranch);
    const repo = toGitHubRepo(remote, this.deps.githubApiUrl);
    // Token first: pushing and then failing for want of one would leave half the job done.
    const client = await openGitHubClient(repo, await this.token(repo.host), this.deps.rateLimits);
    await this.push(sessionId);

    const linked = this.deps.store.get(sessionId);
    if (linked) {
      const current = await client.getPull(linked.number);
      if (current.isModified && current.data.state === 'open')
        return { number: linked.number, url: linked.url, isExisting: true };
    }
    const base = baseOnRemote(session.baseBranch, remote.name);
    let number: number;
    let url: string;
    let isExisting = false;
    try {
      const pull = await client.createPull({
        title: body.title,
        body: body.body,
        head: session.branch,
        base,
        draft: body.draft ?? false,
      });
      ({ number, html_url: url } = pull);
    } catch (error) {
      if (
        !(error instanceof ForgeError && error.githubStatus === 422 && /already exists/i.test(error.message))
      )
        throw error;
      const [open] = await client.listPullsByHead(session.branch);
      if (!open) throw error;
      ({ number, html_url: url } = open);
      isExisting = true;
    }
    this.link(sessionId, repo, session.branch, number, url);
    return { number, url, isExisting };
  }

  /** The PRs linked to a workspace's sessions, as last seen (no GitHub call). */
  listForWorkspace(workspaceId: string): SessionPullRequestList {
    if (!this.deps.workspaces.get(workspaceId)) throw new NotFoundError('Workspace', workspaceId);
    const pullRequests = this.deps.sessions.list(workspaceId).flatMap((session) => {
      const link = this.deps.store.get(session.id);
      return link ? [{ sessionId: session.id, number: link.number, url: link.url, status: link.status }] : [];
    });
    return { pullRequests };
  }

  /**
   * The PR's current status (fetched with ETags; the last known one while rate-limited), or null
   * while the session has none: most sessions never get one, so that is an answer, not an error.
   */
  async status(sessionId: string): Promise<PullRequestStatus | null> {
    this.deps.sessions.get(sessionId);
    if (!this.deps.store.get(sessionId)) return null;
    return this.requirePoller().refresh(sessionId);
  }

  /** Send the PR's unresolved review comments (or the chosen ones) to the agent as a message. */
  async commentsToAgent(sessionId: string, commentIds?: number[]): Promise<CommentsToAgentResponse> {
    const status = await this.status(sessionId);
    if (!status) throw new NoPullRequestError(sessionId);
    const threads = unresolvedThreads(
      status.comments,
      commentIds,
      commentIds ? undefined : await this.resolvedThreads(sessionId),
    );
    if (threads.length === 0)
      throw new ConflictError(
        commentIds
          ? 'None of the chosen comments is on this pull request.'
          : `Pull request #${status.number} has no unresolved review comments to send.`,
      );
    const text = reviewCommentsMessage(status, threads);
    const sent = this.deps.sessions.controller(sessionId).sendMessage(text);
    return { ...sent, count: threads.flat().length };
  }

  /** Resolved review threads from GraphQL; undefined when it cannot be asked (old Enterprise, limits). */
  private async resolvedThreads(sessionId: string): Promise<Map<number, boolean> | undefined> {
    const link = this.deps.store.get(sessionId);
    if (!link) return undefined;
    try {
      return await (await this.clientFor(link)).resolvedThreads(link.number);
    } catch (error) {
      this.deps.logger.warn(
        `cannot tell resolved review threads of ${sessionId} (using "not outdated"): ${(error as Error).message}`,
      );
      return undefined;
    }
  }

  /** Title and body to start from: the first prompt's first line and the repository's PR template. */
  async prefill(sessionId: string): Promise<PullRequestDraft> {
    const { session, workspace } = this.context(sessionId);
    const firstPrompt = this.deps.events
      .after(sessionId, 0, 200)
      .find((event) => event.type === 'user_message');
    const text = (firstPrompt?.payload as { text?: string } | undefined)?.text ?? '';
    const firstLine = text.trim().split('\n')[0]?.trim() ?? '';
    const title = firstLine ? truncate(firstLine, 72) : session.name.replace(/[-_]+/g, ' ');
    const root = hasWorktree(session.worktreePath) ? session.worktreePath : workspace.path;
    return { title, body: (await findPullRequestTemplate(root)) ?? '' };
  }

  /** A client for a linked PR's repository (used by the poller). */
  async clientFor(link: PullRequestLink): Promise<GitHubClient> {
    const repo: GitHubRepo = {
      host: link.host,
      owner: link.owner,
      repo: link.repo,
      apiBaseUrl: link.apiBaseUrl,
    };
    return openGitHubClient(repo, await this.token(link.host), this.deps.rateLimits);
  }

  private link(sessionId: string, repo: GitHubRepo, branch: string, number: number, url: string): void {
    this.deps.store.link({
      sessionId,
      number,
      url,
      host: repo.host,
      apiBaseUrl: repo.apiBaseUrl,
      owner: repo.owner,
      repo: repo.repo,
      headBranch: branch,
    });
    this.requirePoller().track(sessionId, null, false);
    this.refreshInBackground(sessionId);
  }

  private refreshInBackground(sessionId: string): void {
    this.requirePoller()
      .refresh(sessionId)
      .catch((error: unknown) =>
        this.deps.logger.warn(
          `refreshing the pull request of ${sessionId} failed: ${(error as Error).message}`,
        ),
      );
  }

  private async token(host: string): Promise<GitHubToken> {
    const cached = this.tokens.get(host);
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    const token = await resolveGitHubToken(this.deps.credentialSources, host);
    if (!token) throw new GitHubTokenMissingError(host);
    this.tokens.set(host, { token, expiresAt: Date.now() + TOKEN_TTL_MS });
    return token;
  }

  private context(sessionId: string): { session: Session; workspace: Workspace } {
    const session = this.deps.sessions.get(sessionId);
    const workspace = this.deps.workspaces.get(session.workspaceId);
    if (!workspace) throw new NotFoundError('Workspace', session.workspaceId);
    return { session, workspace };
  }

  private requirePoller(): PullRequestPoller {
    if (!this.poller) throw new Error('PullRequestService used before its poller was attached');
    return this.poller;
  }
}

/** The PR's base on the remote: `origin/main` → `main` when pushing to `origin`. */
function baseOnRemote(baseBranch: string, remote: string): string {
  return baseBranch.startsWith(`${remote}/`) ? baseBranch.slice(remote.length + 1) : baseBranch;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/**
 * Octokit is loaded on first use: a backend that never talks to GitHub (most of the time, and
 * every idle one) does not pay its memory.
 */
async function openGitHubClient(...args: ConstructorParameters<typeof GitHubClient>): Promise<GitHubClient> {
  const { GitHubClient } = await import('./github-client.js');
  return new GitHubClient(...args);
}
