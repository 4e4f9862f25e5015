import { AppError } from '../errors.js';

/** The session's repository has no remote to push to. */
export class NoRemoteError extends AppError {
  constructor(repoPath: string, detail?: string) {
    super(
      'no_remote',
      detail ??
        `${repoPath} has no git remote to push to — add one (git remote add origin <url>) and try again.`,
      400,
    );
  }
}

/** The remote is not on GitHub (or on a GitHub Enterprise host ChatML was told about). */
export class NotGitHubRemoteError extends AppError {
  constructor(remote: string, url: string) {
    super(
      'not_github_remote',
      `The remote ${remote} (${url}) is not a GitHub repository. For GitHub Enterprise, set "githubApiUrl" in settings.json or GITHUB_API_URL (e.g. https://github.example.com/api/v3).`,
      400,
    );
  }
}

export class GitHubTokenMissingError extends AppError {
  constructor(host: string) {
    super(
      'github_token_missing',
      `No GitHub token for ${host}. Set GITHUB_TOKEN in the environment ChatML starts from, or log in with the GitHub CLI (gh auth login${host === 'github.com' ? '' : ` --hostname ${host}`}).`,
      400,
    );
  }
}

/** `git push` was refused by the remote. */
export class PushRejectedError extends AppError {
  constructor(message: string) {
    super('push_rejected', message, 409);
  }
}

/** The remote or the GitHub API refused our credentials. */
export class ForgeAuthError extends AppError {
  constructor(message: string) {
    super('forge_auth_failed', message, 502);
  }
}

export class ForgeRateLimitedError extends AppError {
  constructor(readonly resetAt: number) {
    super(
      'forge_rate_limited',
      `GitHub's API rate limit is used up until ${new Date(resetAt).toISOString()}; ChatML waits until then.`,
      503,
    );
  }
}

/** Any other failure from the GitHub API, with GitHub's own explanation. */
export class ForgeError extends AppError {
  constructor(
    message: string,
    readonly githubStatus?: number,
  ) {
    super('forge_failed', message, 502);
  }
}
