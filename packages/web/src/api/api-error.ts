import { ErrorBody } from '@chatml/protocol';

/**
 * An API failure as the user should see it. `code` is the backend's stable error code
 * (`not_a_git_repo`, `invalid_name`, …) or `network` when the backend could not be reached at all.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: string,
    message: string,
    /** The HTTP status, or 0 when no response arrived. */
    readonly status: number,
    /** Paths that stopped a git operation (merge conflicts, files the user modified), when sent. */
    readonly conflicts: readonly string[] = [],
    /** For an invalid request: the field it is about and that field's problem alone. */
    readonly field?: { name: string; message: string },
  ) {
    super(message);
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

/** Turns a failed response into an ApiError, keeping the backend's own message when it sent one. */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page, an empty body): fall back to the status line below.
    body = undefined;
  }
  const parsed = ErrorBody.safeParse(body);
  if (parsed.success) {
    const { code, message, conflicts, field, fieldMessage } = parsed.data.error;
    const about = field && fieldMessage ? { name: field, message: fieldMessage } : undefined;
    return new ApiError(code, message, response.status, conflicts, about);
  }
  const fallbackMessage = `The backend answered ${response.status} ${response.statusText}`.trim();
  return new ApiError('internal', `${fallbackMessage}.`, response.status);
}

export function networkError(cause: unknown): ApiError {
  const detail = cause instanceof Error ? ` (${cause.message})` : '';
  return new ApiError('network', `Cannot reach the ChatML backend${detail}. Is it still running?`, 0);
}
