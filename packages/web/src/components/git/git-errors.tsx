import { ApiError } from '../../api/api-error';

/** What went wrong, as the backend said it, plus what to do about it where the code tells us. */
export interface GitFailure {
  code: string;
  message: string;
  conflicts: readonly string[];
}

export function toGitFailure(caught: unknown): GitFailure {
  if (caught instanceof ApiError) {
    return { code: caught.code, message: caught.message, conflicts: caught.conflicts };
  }
  return {
    code: 'internal',
    message: caught instanceof Error ? caught.message : String(caught),
    conflicts: [],
  };
}

/**
 * The next step for failures whose backend message says only what happened. Where the backend's
 * message already says what to do (no remote, no GitHub token, not a GitHub remote — the CLI shows
 * those too), no hint is added: the same advice twice reads as two problems.
 */
const hints: Record<string, string> = {
  forge_auth_failed: 'Check that the token or SSH key is valid and may push to this repository.',
  forge_rate_limited: 'GitHub’s rate limit is used up; ChatML tries again when it resets.',
  session_busy: 'Wait for the agent’s turn to end, or stop it, then try again.',
  network: 'The ChatML backend did not answer.',
};

/** An error box (role="alert") with the backend's message, a hint, and the paths it named. */
export function GitError({
  failure,
  conflictsLabel = 'Files involved',
  testId,
}: {
  failure: GitFailure | undefined;
  conflictsLabel?: string;
  testId?: string;
}) {
  if (!failure) return null;
  const hint = hints[failure.code];
  return (
    <div className="git-error" role="alert" data-testid={testId} data-code={failure.code}>
      <p className="git-error-message">{failure.message}</p>
      {hint && <p className="git-error-hint">{hint}</p>}
      {failure.conflicts.length > 0 && (
        <>
          <p className="git-error-hint">{conflictsLabel}:</p>
          <ul className="git-path-list" aria-label={conflictsLabel} data-testid="git-error-paths">
            {failure.conflicts.map((path) => (
              <li key={path}>{path}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
