import { spawn } from 'node:child_process';

/** A GitHub token and where it came from (named in errors and the UI; never the token itself). */
export interface GitHubToken {
  token: string;
  source: string;
}

/**
 * Somewhere a GitHub token may be found. ChatML asks its sources in order and takes the first
 * answer. The encrypted credential store (`$CHATML_HOME/credentials`, kept by the launcher) will be
 * one; today the chain is `GITHUB_TOKEN` then `gh auth token`.
 *
 * @example
 * const store: CredentialSource = { name: 'credential store', githubToken: async (host) => vault.get(host) };
 * const token = await resolveGitHubToken([store, ...defaultCredentialSources(process.env)], 'github.com');
 */
export interface CredentialSource {
  /** Shown to users ("the token from GITHUB_TOKEN was refused"). */
  readonly name: string;
  /** The token for a GitHub host (`github.com`, `github.example.com`), or undefined if this source has none. */
  githubToken(host: string): Promise<string | undefined>;
}

/** `GITHUB_TOKEN` (then `GH_TOKEN`, the GitHub CLI's name for it) from the backend's environment. */
export function envCredentialSource(env: NodeJS.ProcessEnv): CredentialSource {
  return {
    name: 'GITHUB_TOKEN',
    githubToken: async () => env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim() || undefined,
  };
}

export interface GhCliOptions {
  /** The `gh` executable; default `gh` on PATH. */
  command?: string;
  env?: NodeJS.ProcessEnv;
  /** `gh` is killed after this long (it can stall on a keyring prompt); default 5 s. */
  timeoutMs?: number;
}

/**
 * `gh auth token --hostname <host>`: the GitHub CLI's login, if the user has one. A missing `gh`,
 * no login or a timeout all mean "no token here", never an error. `gh` runs in its own process
 * group, which is killed on timeout.
 */
export function ghCliCredentialSource(options: GhCliOptions = {}): CredentialSource {
  return {
    name: 'gh auth token',
    githubToken: (host) => runGhAuthToken(host, options),
  };
}

function runGhAuthToken(host: string, options: GhCliOptions): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(options.command ?? 'gh', ['auth', 'token', '--hostname', host], {
      env: { ...(options.env ?? process.env), GH_PROMPT_DISABLED: '1', GH_NO_UPDATE_NOTIFIER: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
      windowsHide: true,
    });
    let stdout = '';
    let isDone = false;
    const finish = (token: string | undefined) => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      resolve(token);
    };
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone between the timeout and the kill: nothing left to stop.
      }
      finish(undefined);
    }, options.timeoutMs ?? 5000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      stdout += text;
    });
    // ENOENT (no gh installed) and friends: this source simply has no token.
    child.on('error', () => finish(undefined));
    child.on('close', (code) => finish(code === 0 ? stdout.trim() || undefined : undefined));
  });
}

/** The sources after the credential store: the environment, then the GitHub CLI. */
export function defaultCredentialSources(env: NodeJS.ProcessEnv): CredentialSource[] {
  return [envCredentialSource(env), ghCliCredentialSource({ env })];
}

/** The first token any source has for `host`, with the source's name; undefined if none has one. */
export async function resolveGitHubToken(
  sources: readonly CredentialSource[],
  host: string,
): Promise<GitHubToken | undefined> {
  for (const source of sources) {
    const token = await source.githubToken(host);
    if (token) return { token, source: source.name };
  }
  return undefined;
}
