import { ONESHOT_MAIN_PATH } from '@chatml/runner';
import { DraftService } from '../drafts/draft-service.js';
import type { Hub } from '../hub/hub.js';
import type { Logger } from '../logger.js';
import type { SessionManager } from '../sessions/session-manager.js';
import type { Database } from '../store/database.js';
import type { EventStore } from '../store/event-store.js';
import type { WorkspaceStore } from '../store/workspace-store.js';
import { type CredentialSource, defaultCredentialSources } from './credentials.js';
import { PullRequestPoller } from './pr-poller.js';
import { PullRequestService } from './pr-service.js';
import { PullRequestStore } from './pr-store.js';
import { RateLimits } from './rate-limit.js';

export interface ForgeServicesDeps {
  db: Database;
  sessions: SessionManager;
  workspaces: WorkspaceStore;
  events: EventStore;
  hub: Hub;
  logger: Logger;
  /** The backend's environment: GITHUB_TOKEN, GITHUB_API_URL, PATH for `gh`. */
  env: NodeJS.ProcessEnv;
  /** `githubApiUrl` from settings.json; wins over GITHUB_API_URL. */
  settingsApiUrl?: string;
  /** Sources asked before GITHUB_TOKEN and `gh` (the launcher's credential store, when it exists). */
  credentialSources?: readonly CredentialSource[];
  /** A session's runner environment; drafts run with the same one. */
  runnerEnv(sessionId: string): NodeJS.ProcessEnv;
  pollIntervalMs?: number;
  /** Default: the runner package's one-shot entry. */
  oneShotMainPath?: string;
  draftTimeoutMs?: number;
}

/** Push, pull requests, their poller and AI drafts, wired together for the server. */
export interface ForgeServices {
  pullRequests: PullRequestService;
  drafts: DraftService;
  poller: PullRequestPoller;
  /** Start polling the open PRs linked to sessions (once the server listens). */
  start(): void;
  dispose(): void;
}

export function createForgeServices(deps: ForgeServicesDeps): ForgeServices {
  const store = new PullRequestStore(deps.db);
  const rateLimits = new RateLimits();
  const pullRequests = new PullRequestService({
    sessions: deps.sessions,
    workspaces: deps.workspaces,
    events: deps.events,
    store,
    rateLimits,
    credentialSources: [...(deps.credentialSources ?? []), ...defaultCredentialSources(deps.env)],
    githubApiUrl: deps.settingsApiUrl ?? (deps.env.GITHUB_API_URL || undefined),
    logger: deps.logger,
  });
  const poller = new PullRequestPoller({
    store,
    rateLimits,
    clientFor: (link) => pullRequests.clientFor(link),
    onChanged: (sessionId, pullRequest) =>
      deps.hub.broadcast({ type: 'pull_request_updated', sessionId, pullRequest }),
    logger: deps.logger,
    intervalMs: deps.pollIntervalMs,
    isAutomatic: true,
  });
  pullRequests.attachPoller(poller);
  const drafts = new DraftService({
    sessions: deps.sessions,
    oneShotMainPath: deps.oneShotMainPath ?? ONESHOT_MAIN_PATH,
    envFor: deps.runnerEnv,
    timeoutMs: deps.draftTimeoutMs,
  });
  return {
    pullRequests,
    drafts,
    poller,
    start: () => poller.start(),
    dispose() {
      poller.dispose();
      drafts.dispose();
    },
  };
}
