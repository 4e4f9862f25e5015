import type { ErrorCode } from '@chatml/protocol';

/**
 * An error the user can act on. The HTTP layer maps it to `{error:{code,message}}` with `status`;
 * anything that is not an AppError is a bug and is reported as `internal` without details.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    options?: { cause?: unknown; conflicts?: readonly string[] },
  ) {
    super(message, { cause: options?.cause });
    this.name = new.target.name;
    this.conflicts = options?.conflicts;
  }

  /** Paths that stopped a git operation; sent as `error.conflicts` when present. */
  readonly conflicts: readonly string[] | undefined;
}

export class BadRequestError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('bad_request', message, 400, options);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super('not_found', `${what} ${JSON.stringify(id)} does not exist.`, 404);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, options?: { cause?: unknown; conflicts?: readonly string[] }) {
    super('conflict', message, 409, options);
  }
}

export class InvalidNameError extends AppError {
  constructor(message: string) {
    super('invalid_name', message, 400);
  }
}

export class NotAGitRepoError extends AppError {
  constructor(path: string) {
    super('not_a_git_repo', `${path} is not a git repository — pick the folder that contains .git.`, 400);
  }
}

/** A git command failed; `stderr` is kept for logs and shown trimmed to the user. */
export class GitError extends AppError {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    const detail = gitFailureDetail(stderr);
    super('git_failed', `git ${args[0] ?? ''} failed${detail ? `: ${detail}` : ''}`, 500);
  }
}

/**
 * What git said went wrong: its `fatal:`/`error:` lines when there are any — git often follows
 * them with generic advice ("Please make sure you have the correct access rights…") that would
 * otherwise be all the user sees — else its last lines.
 */
function gitFailureDetail(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const failures = lines.filter((line) => /^(fatal|error):/.test(line));
  return (failures.length > 0 ? failures : lines).slice(-3).join(' ').slice(0, 500);
}

/** The agent is running a turn, and the operation would race it in the worktree. */
export class SessionBusyError extends AppError {
  constructor(message: string) {
    super('session_busy', message, 409);
  }
}

/** A message asked to be cancelled has already started its turn (or run it): only Stop is left. */
export class MessageStartedError extends AppError {
  constructor(message: string) {
    super('message_started', message, 409);
  }
}

export class SessionArchivedError extends AppError {
  constructor(sessionId: string) {
    super('session_archived', `Session ${sessionId} is archived; restore it to continue.`, 409);
  }
}

/**
 * The event journal could not be written (a full or failing disk): the event was not stored, so it
 * was not sent either. Runner output waiting behind it is kept and stored once writing works again.
 */
export class StorageFailedError extends AppError {
  constructor(cause: Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    super(
      'storage_failed',
      `ChatML could not write its event log${code ? ` (${code})` : ''}${code === 'ENOSPC' ? ': the disk is full' : ''}. Nothing was sent or lost; free some space and try again — waiting agent output is stored as soon as it can be.`,
      503,
      { cause },
    );
  }
}
