import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_VERSION, type ServerInfo } from '@chatml/protocol';
import { RUNNER_MAIN_PATH } from '@chatml/runner';
import { AppPaths } from './config/app-paths.js';
import { LiveSettings } from './config/live-settings.js';
import { loadSettings } from './config/settings.js';
import { SettingsFile } from './config/settings-file.js';
import type { CredentialSource } from './forge/credentials.js';
import { createForgeServices } from './forge/forge-services.js';
import { WorktreeManager } from './git/worktree-manager.js';
import { createApp } from './http/app.js';
import { AccessPolicy } from './http/security.js';
import { findWebDist } from './http/ui.js';
import { Hub, type HubOptions } from './hub/hub.js';
import { createLogger, type Logger } from './logger.js';
import { detectModelCredentials } from './runners/model-credentials.js';
import { buildRunnerEnv, type ModelEndpoint } from './runners/runner-env.js';
import { SessionGit } from './sessions/session-git.js';
import { SessionManager } from './sessions/session-manager.js';
import { defaultMaxConcurrentTurns, TurnScheduler } from './sessions/turn-scheduler.js';
import { GitStateStore } from './store/git-state-store.js';
import {
  EventMoverClient,
  type EventMoverOptions,
  EventStore,
  journalPathFor,
  openDatabase,
  releaseDatabaseMemory,
  SCHEMA_VERSION,
  SessionStore,
  WalCheckpointer,
  WorkspaceStore,
} from './store/index.js';
import { IdleHeapReducer } from './util/idle-heap-reducer.js';
import { KeyedLock } from './util/keyed-lock.js';
import { rateLimited } from './util/rate-limited.js';
import { WorkspaceService } from './workspaces/workspace-service.js';
import { attachWebSocket } from './ws/ws-endpoint.js';

export interface ServerOptions {
  /** The data dir (`$CHATML_HOME`). */
  home: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fall back to a free port when `port` is taken (the launcher's stable port is only a wish). */
  isPortAPreference?: boolean;
  /** Defaults to a fresh random 256-bit token. */
  token?: string;
  /** The environment runners inherit model credentials and PATH/HOME from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Overrides the model endpoint for every runner (the offline demo model uses this). */
  modelEndpoint?: ModelEndpoint;
  isDemoModel?: boolean;
  logger?: Logger;
  maxConcurrentTurns?: number;
  idleRunnerTimeoutMs?: number;
  interruptGraceMs?: number;
  /** How often live sessions' worktrees are looked at, so one deleted by hand shows (default 10 s). */
  worktreeCheckMs?: number;
  /** How long a new runner may take to say hello before its turn fails (default 30 s). */
  runnerStartTimeoutMs?: number;
  /** Niceness of agent processes (see Settings.runnerNiceness). Default: settings, else 10. */
  runnerNiceness?: number;
  /**
   * The event mover process (store/event-mover.ts), which moves the event log into SQLite off the
   * event loop. Default: on for a database on disk. `false`: the backend moves events itself;
   * an object: settings for tests and benchmarks.
   */
  eventMover?:
    | false
    | Partial<Pick<EventMoverOptions, 'idleStopMs' | 'retryAfterMs' | 'maxInFlight' | 'entryPath'>>;
  hub?: Omit<HubOptions, 'logger'>;
  /** The runner entry script; tests swap in misbehaving runners to prove the backend survives them. */
  runnerMainPath?: string;
  /** The built web UI; default: `@chatml/web`'s dist when built. */
  uiDir?: string;
  /** Write `server.json` (port, token, pid; mode 0600) for the launcher and CLI to find us. */
  writeServerInfo?: boolean;
  /** Asked for GitHub tokens before GITHUB_TOKEN and `gh auth token` (the launcher's credential store). */
  credentialSources?: CredentialSource[];
}

export interface RunningServer {
  port: number;
  token: string;
  /** The address to open in a browser, token in the fragment (never sent to the server). */
  launchUrl: string;
  baseUrl: string;
  paths: AppPaths;
  sessions: SessionManager;
  hub: Hub;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? createLogger();
  const paths = new AppPaths(options.home);
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  privateFolder(paths.home, logger);
  const settings = loadSettings(paths.settings, logger);
  const liveSettings = new LiveSettings(new SettingsFile(paths.settings), settings);
  const env = options.env ?? process.env;
  const token = options.token ?? randomBytes(32).toString('base64url');

  const db = openDatabase(paths.database, logger);
  const checkpointer = new WalCheckpointer(db);
  const workspaceStore = new WorkspaceStore(db);
  const sessionStore = new SessionStore(db);
  const journalPath = journalPathFor(paths.database);
  const mover =
    journalPath && options.eventMover !== false
      ? new EventMoverClient({
          databasePath: paths.database,
          schemaVersion: SCHEMA_VERSION,
          logger,
          niceness: options.runnerNiceness ?? settings.runnerNiceness ?? 10,
          onMoved: (reply) => events.moved(reply),
          onLost: (generations) => events.moveLost(generations),
          ...(typeof options.eventMover === 'object' ? options.eventMover : {}),
        })
      : undefined;
  const events = new EventStore(db, {
    journalPath,
    ...(mover ? { mover } : {}),
    onDatabaseWrite: () => checkpointer.noteWrite(),
    onMoveError: (error) =>
      logger.warn(`moving events from the journal failed (will retry): ${error.message}`),
    onSkippedJournalLines: (count) =>
      logger.warn(`the event journal had ${count} line(s) of batches never completed (never sent); left out`),
    onJournalProblem: (problem) => logger.warn(problem),
  });
  // A checkpoint synced the WAL: the journal files of what was moved into it can go.
  checkpointer.onCheckpoint = () => events.markDurable();
  checkpointer.onError = rateLimited(5000, (error: Error, skipped) =>
    logger.warn(
      `WAL checkpoint failed (will retry): ${error.message}${skipped ? ` (${skipped} more since)` : ''}`,
    ),
  );
  const hub = new Hub(events, (id) => sessionStore.get(id) !== undefined, { ...options.hub, logger });
  liveSettings.onChanged = (changed) => hub.broadcast({ type: 'settings_updated', settings: changed });
  const maxTurns = options.maxConcurrentTurns ?? settings.maxConcurrentTurns ?? defaultMaxConcurrentTurns();
  const endpoint: ModelEndpoint | undefined =
    options.modelEndpoint ??
    (settings.anthropicBaseUrl && !env.ANTHROPIC_BASE_URL
      ? { baseUrl: settings.anthropicBaseUrl }
      : undefined);

  const repoLock = new KeyedLock();
  const gitStates = new GitStateStore(db);
  const sessions = new SessionManager({
    paths,
    hub,
    sessions: sessionStore,
    events,
    workspaces: workspaceStore,
    worktrees: new WorktreeManager(),
    scheduler: new TurnScheduler(maxTurns),
    repoLock,
    gitStates,
    logger,
    runnerMainPath: options.runnerMainPath ?? RUNNER_MAIN_PATH,
    runnerEnv: (sessionId) =>
      buildRunnerEnv(env, {
        sessionId,
        tmpDir: paths.runnerTmp(sessionId),
        endpoint,
        gitCeiling: paths.worktrees,
      }),
    idleRunnerTimeoutMs: options.idleRunnerTimeoutMs ?? settings.idleRunnerTimeoutMs ?? 10 * 60_000,
    runnerNiceness: options.runnerNiceness ?? settings.runnerNiceness ?? 10,
    interruptGraceMs: options.interruptGraceMs ?? 5000,
    runnerStartTimeoutMs: options.runnerStartTimeoutMs ?? 30_000,
    defaultModel: () => liveSettings.defaultModel,
    isDemoModel: options.isDemoModel ?? false,
  });
  sessions.recoverAll();
  const sessionGit = new SessionGit({
    sessions,
    workspaces: workspaceStore,
    gitStates,
    hub,
    repoLock,
    logger,
    archiveAfterMerge: () => liveSettings.archiveAfterMerge,
  });
  // Stale worktrees, deleted branches and syncs left half-done are found before anyone asks.
  await sessionGit.recoverOnStart();
  const workspaces = new WorkspaceService({ workspaces: workspaceStore, sessions, hub, paths, logger });
  await workspaces.recoverInterruptedClones();
  const forge = createForgeServices({
    db,
    sessions,
    workspaces: workspaceStore,
    events,
    hub,
    logger,
    env,
    settingsApiUrl: settings.githubApiUrl,
    credentialSources: options.credentialSources,
    runnerEnv: (sessionId) =>
      buildRunnerEnv(env, {
        sessionId,
        tmpDir: paths.runnerTmp(sessionId),
        endpoint,
        gitCeiling: paths.worktrees,
      }),
  });

  const policy = new AccessPolicy(token);
  const app = createApp({
    policy,
    workspaces,
    sessions,
    sessionGit,
    events,
    logger,
    uiDir: options.uiDir ?? findWebDist(),
    forge,
    settings: liveSettings,
    healthDetails: () => ({
      demoModel: options.isDemoModel ?? false,
      maxConcurrentTurns: maxTurns,
      modelCredentials: detectModelCredentials(env, { isDemoModel: options.isDemoModel ?? false, endpoint }),
    }),
  });
  const server = createServer(app);
  try {
    await listen(server, options.port ?? 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !options.isPortAPreference) {
      await mover?.close();
      events.close();
      checkpointer.stop();
      db.close();
      throw error;
    }
    logger.warn(`port ${options.port} is taken; using a free one`);
    await listen(server, 0);
  }
  const port = (server.address() as AddressInfo).port;
  policy.setPort(port);
  const ws = attachWebSocket(server, { policy, hub, logger });
  sessions.startQueuedWork();
  sessions.watchWorktrees(options.worktreeCheckMs ?? 10_000);
  forge.start();
  // Collects only when the process has `gc` (the launcher's --expose-gc); see util/idle-heap-reducer.ts.
  const heapReducer = new IdleHeapReducer({ release: () => releaseDatabaseMemory(db) });
  heapReducer.start();

  if (options.writeServerInfo) {
    const info: ServerInfo = {
      port,
      token,
      pid: process.pid,
      version: APP_VERSION,
      startedAt: Date.now(),
      demoModel: options.isDemoModel ?? false,
    };
    writeFileSync(paths.serverInfo, JSON.stringify(info), { mode: 0o600 });
    chmodSync(paths.serverInfo, 0o600);
  }

  let closing: Promise<void> | undefined;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    port,
    token,
    baseUrl,
    launchUrl: `${baseUrl}/#token=${token}`,
    paths,
    sessions,
    hub,
    close() {
      closing ??= (async () => {
        heapReducer.stop();
        ws.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections?.();
        await workspaces.dispose();
        forge.dispose();
        await sessions.dispose();
        await closed;
        hub.flush();
        // The mover first: what it has not moved yet, the store moves as it closes.
        await mover?.close();
        try {
          events.close();
        } catch (error) {
          // The journal keeps what could not be moved; the next start moves it.
          logger.warn(`moving events from the journal at shutdown failed: ${(error as Error).message}`);
        }
        checkpointer.stop();
        db.close();
        if (options.writeServerInfo) rmSync(paths.serverInfo, { force: true });
      })();
      return closing;
    },
  };
}

/**
 * The data dir holds transcripts, the database and the launch token: only its owner may enter it.
 * One created by an older launcher (0755) is tightened; one the user shares on purpose some other
 * way (not owned by us) is left alone.
 */
function privateFolder(path: string, logger: Logger): void {
  try {
    const stats = statSync(path);
    if ((stats.mode & 0o077) !== 0 && stats.uid === process.getuid?.()) chmodSync(path, 0o700);
  } catch (error) {
    logger.warn(`could not make ${path} private: ${(error as Error).message}`);
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: nothing on the network can reach the backend, whatever the token.
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
