import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where ChatML keeps its data. `$CHATML_HOME` wins; otherwise the OS's per-user data dir (XDG on
 * Linux). A dozen lines, so no dependency: the rules are fixed by each OS and rarely change.
 */
export function defaultChatmlHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHATML_HOME) return env.CHATML_HOME;
  const home = env.HOME ?? homedir();
  switch (process.platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'ChatML');
    case 'win32':
      return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'ChatML');
    default:
      return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'chatml');
  }
}

/** The layout of the data dir; every path the backend writes is derived from here. */
export class AppPaths {
  constructor(readonly home: string) {}
  get database(): string {
    return join(this.home, 'chatml.db');
  }
  get serverInfo(): string {
    return join(this.home, 'server.json');
  }
  get settings(): string {
    return join(this.home, 'settings.json');
  }
  get lockFile(): string {
    return join(this.home, 'server.lock');
  }
  get logs(): string {
    return join(this.home, 'logs');
  }
  get repos(): string {
    return join(this.home, 'repos');
  }
  /** The folder holding every session's worktree. */
  get worktrees(): string {
    return join(this.home, 'worktrees');
  }

  worktree(workspaceId: string, sessionName: string): string {
    return join(this.worktrees, workspaceId, sessionName);
  }
  runnerTmp(sessionId: string): string {
    return join(this.home, 'tmp', sessionId);
  }
  sessionLog(sessionId: string): string {
    return join(this.logs, `session-${sessionId}.log`);
  }
}
