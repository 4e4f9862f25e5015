import { runGit } from '../git/run-git.js';
import { NoRemoteError, NotGitHubRemoteError } from './forge-errors.js';

/** A git remote of the workspace: its name and its configured URL (as written, before `insteadOf`). */
export interface GitRemote {
  name: string;
  url: string;
}

/** Where a remote lives on a forge: `github.com` + `acme/widgets`. */
export interface RemoteRepo {
  host: string;
  owner: string;
  repo: string;
}

/** A remote resolved to a GitHub repository and the REST API that serves it. */
export interface GitHubRepo extends RemoteRepo {
  apiBaseUrl: string;
}

/**
 * Hides credentials written into a URL (`https://user:token@host/…` → `https://***@host/…`) before
 * it reaches a log or an error message. Also works on whole stderr texts.
 */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');
}

/**
 * Owner and repository from a remote URL: `https://host/o/r(.git)`, `ssh://[user@]host[:port]/o/r`,
 * `git@host:o/r(.git)` (scp-like) and `git://host/o/r`. Null for anything else (local paths,
 * `file://`, nested groups like GitLab's `a/b/c`).
 */
export function parseRemoteUrl(url: string): RemoteRepo | null {
  const trimmed = url.trim();
  let host: string;
  let path: string;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(trimmed);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      return null;
    }
    if (!['https:', 'http:', 'ssh:', 'git:', 'git+ssh:', 'ssh+git:'].includes(parsed.protocol)) return null;
    host = parsed.hostname.toLowerCase();
    path = decodeURIComponent(parsed.pathname);
  } else if (scp?.[1] && scp[2] && !trimmed.startsWith('/')) {
    host = scp[1].toLowerCase();
    path = scp[2];
  } else {
    return null;
  }
  const parts = path
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/, '')
    .split('/');
  const [owner, repo] = parts;
  if (parts.length !== 2 || !owner || !repo || !host) return null;
  return { host, owner, repo };
}

/**
 * The REST API for a remote's host: the configured one (settings or `GITHUB_API_URL`) when given —
 * it names the user's GitHub or GitHub Enterprise server — else `https://api.github.com` for
 * github.com. Any other host is refused rather than guessed, so a token is never sent to a server
 * nobody said was GitHub.
 */
export function toGitHubRepo(remote: GitRemote, configuredApiUrl: string | undefined): GitHubRepo {
  const parsed = parseRemoteUrl(remote.url);
  if (!parsed) throw new NotGitHubRemoteError(remote.name, redactCredentials(remote.url));
  if (configuredApiUrl) return { ...parsed, apiBaseUrl: configuredApiUrl.replace(/\/+$/, '') };
  if (parsed.host === 'github.com' || parsed.host === 'www.github.com')
    return { ...parsed, host: 'github.com', apiBaseUrl: 'https://api.github.com' };
  throw new NotGitHubRemoteError(remote.name, redactCredentials(remote.url));
}

/**
 * The remote a session pushes to, chosen deliberately: the base branch's upstream remote (so a
 * fork checkout pushes where the user pushes), else `origin`, else the only remote there is.
 */
export async function chooseRemote(repoPath: string, baseBranch: string): Promise<GitRemote> {
  const { stdout } = await runGit(['remote'], { cwd: repoPath });
  const remotes = stdout.split('\n').filter(Boolean);
  if (remotes.length === 0) throw new NoRemoteError(repoPath);

  const upstream = (
    await runGit(['config', '--get', `branch.${baseBranch}.remote`], { cwd: repoPath, okExitCodes: [0, 1] })
  ).stdout.trim();
  // A base given as a remote-tracking branch (`origin/main`) names its remote itself.
  const fromBase = remotes.find((remote) => baseBranch.startsWith(`${remote}/`));
  const name =
    (remotes.includes(upstream) ? upstream : undefined) ??
    fromBase ??
    (remotes.includes('origin') ? 'origin' : undefined) ??
    (remotes.length === 1 ? remotes[0] : undefined);
  if (!name)
    throw new NoRemoteError(
      repoPath,
      `${repoPath} has several remotes (${remotes.join(', ')}) and none is "origin" or the upstream of ${baseBranch}; set one with git branch --set-upstream-to`,
    );
  const url = (
    await runGit(['config', '--get', `remote.${name}.url`], { cwd: repoPath, okExitCodes: [0, 1] })
  ).stdout.trim();
  return { name, url };
}
