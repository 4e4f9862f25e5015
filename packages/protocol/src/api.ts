import { z } from 'zod';
import { Id, ModelName, PermissionMode, SessionStatus } from './common.js';
import { SessionGitState } from './git-state.js';
import { StoredEvent } from './session-events.js';

/**
 * REST API v1 (`/api/v1`). Request bodies are parsed with these schemas at the edge; responses are
 * typed with them. Paths and field names here are a public contract: add fields, never rename.
 */

/**
 * Where the agents' model credentials come from, as far as the backend can tell from its runner
 * environment (never the secret itself): an API key or auth token, a Claude subscription login
 * (`CLAUDE_CODE_OAUTH_TOKEN` or Claude Code's own login), a cloud provider (Bedrock/Vertex), the
 * offline demo model, or nothing at all.
 */
export const ModelCredentials = z.enum(['api_key', 'oauth', 'cloud', 'demo', 'none']);
export type ModelCredentials = z.output<typeof ModelCredentials>;

export const Health = z.object({
  ok: z.literal(true),
  version: z.string(),
  protocolVersion: z.number().int(),
  /** True when agents talk to the offline demo model (scripted replies, not Claude). */
  demoModel: z.boolean().default(false),
  /** How many agent turns may run at once; more wait in a visible queue. */
  maxConcurrentTurns: z.number().int().positive().optional(),
  /** Optional for older backends; the UI treats a missing value as unknown. */
  modelCredentials: ModelCredentials.optional(),
});
export type Health = z.output<typeof Health>;

// ---- workspaces --------------------------------------------------------------------------------

export const WorkspaceStatus = z.enum(['ready', 'cloning', 'error']);
export type WorkspaceStatus = z.output<typeof WorkspaceStatus>;

export const Workspace = z.object({
  id: Id,
  name: z.string(),
  /** The user's own checkout. ChatML never switches its branch or touches its files. */
  path: z.string(),
  baseBranch: z.string(),
  remoteUrl: z.string().nullable(),
  status: WorkspaceStatus,
  /** Human-readable progress or failure while cloning. */
  statusDetail: z.string().nullable(),
  createdAt: z.number().int(),
  /**
   * The repository folder is not there (moved, deleted, an unmounted drive): nothing can be done in
   * it until it is back. Looked at on every read, so it clears by itself. Absent means false.
   */
  folderMissing: z.boolean().optional(),
});
export type Workspace = z.output<typeof Workspace>;

export const CreateWorkspaceBody = z.union([
  z.object({ path: z.string().min(1).max(4096) }).strict(),
  z
    .object({
      cloneUrl: z.string().min(1).max(4096),
      /** The folder's name in `$CHATML_HOME/repos` (one folder, not a path). */
      name: z
        .string()
        .min(1)
        .max(100)
        .refine((name) => !/[/\\\0]/.test(name) && name !== '.' && name !== '..', {
          message: 'a folder name, not a path',
        })
        .optional(),
      /** Where to clone to; defaults to `$CHATML_HOME/repos/<name>`. */
      path: z.string().min(1).max(4096).optional(),
    })
    .strict(),
]);
export type CreateWorkspaceBody = z.output<typeof CreateWorkspaceBody>;

export const WorkspaceList = z.object({ workspaces: z.array(Workspace) });

// ---- sessions ----------------------------------------------------------------------------------

/** Size of a session's change against its base (the same comparison as its diff). */
export const DiffStats = z.object({
  files: z.number().int().nonnegative(),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  /** The branch's commits are in the base already (e.g. squash-merged); absent when not. */
  mergedIntoBase: z.boolean().optional(),
});
export type DiffStats = z.output<typeof DiffStats>;

export const Session = z.object({
  id: Id,
  workspaceId: Id,
  name: z.string(),
  branch: z.string(),
  baseBranch: z.string(),
  worktreePath: z.string(),
  status: SessionStatus,
  /** Why the session is in `error` (or other context for the status), for the user. */
  statusReason: z.string().nullable(),
  model: z.string().nullable(),
  permissionMode: PermissionMode,
  /** Highest seq in the session's event log; a client that has it is up to date. */
  lastSeq: z.number().int().nonnegative(),
  /**
   * Seq of the last conversation event (user message, assistant output, tool call or result,
   * permission request, turn end, error); lifecycle bookkeeping such as `runner_started`,
   * `runner_stopped`, `agent_ready` or `status_changed` does not move it, so a backend restart
   * leaves it alone. 0 when there is none yet. What "unread" compares; absent from older backends.
   */
  activitySeq: z.number().int().nonnegative().optional(),
  /** Messages accepted but not yet started (waiting behind a turn or for a free slot). */
  queuedMessages: z.number().int().nonnegative(),
  /** Sync in progress/conflicted, missing worktree or branch (see docs/GIT.md). */
  gitState: SessionGitState.optional(),
  /**
   * Lines changed against the base, measured when a turn ends (never while text streams) and
   * cached; null until first measured, and for archived sessions after a restart.
   */
  diffStats: DiffStats.nullable().default(null),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Session = z.output<typeof Session>;

/** Session and branch names: short, readable, and safe as a git ref component. */
export const MAX_SESSION_NAME_LENGTH = 60;
export const SessionName = z
  .string()
  .min(1)
  .max(MAX_SESSION_NAME_LENGTH, `use at most ${MAX_SESSION_NAME_LENGTH} characters`)
  .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'use letters, digits, ".", "_" or "-", starting with a letter or digit');

/** The longest message (or first prompt) a session takes, in UTF-16 code units. */
export const MAX_MESSAGE_LENGTH = 200_000;

export const CreateSessionBody = z
  .object({
    prompt: z.string().max(MAX_MESSAGE_LENGTH).optional(),
    name: SessionName.optional(),
    baseBranch: z.string().min(1).max(255).optional(),
    model: ModelName.optional(),
    permissionMode: PermissionMode.optional(),
  })
  .strict();
export type CreateSessionBody = z.output<typeof CreateSessionBody>;

export const SessionList = z.object({ sessions: z.array(Session) });

export const SendMessageBody = z.object({ text: z.string().min(1).max(MAX_MESSAGE_LENGTH) }).strict();
export type SendMessageBody = z.output<typeof SendMessageBody>;

/**
 * `POST /sessions/:id/interrupt`, body optional. With `turnId`, only that turn is stopped: a Stop
 * pressed as one turn ends must not stop the queued turn that starts right after it.
 */
export const InterruptBody = z.object({ turnId: z.string().min(1).max(200).optional() }).strict();
export type InterruptBody = z.output<typeof InterruptBody>;

export const SendMessageResponse = z.object({ messageId: z.string(), queued: z.boolean() });

/**
 * `DELETE /sessions/:id/messages/:messageId`: a queued message taken back before its turn started.
 * Also the answer for one already taken back (by the user or by an archive): it will not run either way.
 */
export const CancelMessageResponse = z.object({ cancelled: z.literal(true) });
export type CancelMessageResponse = z.output<typeof CancelMessageResponse>;

export const PermissionDecisionBody = z
  .object({
    allow: z.boolean(),
    message: z.string().max(10_000).optional(),
    updatedInput: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type PermissionDecisionBody = z.output<typeof PermissionDecisionBody>;

export const UpdateSessionBody = z
  .object({ model: ModelName.optional(), permissionMode: PermissionMode.optional() })
  .strict();
export type UpdateSessionBody = z.output<typeof UpdateSessionBody>;

export const EventsQuery = z.object({
  after: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export const EventsResponse = z.object({
  events: z.array(StoredEvent),
  lastSeq: z.number().int().nonnegative(),
});
export type EventsResponse = z.output<typeof EventsResponse>;

// ---- diff --------------------------------------------------------------------------------------

/**
 * Unchanged lines git prints around each change in a `patch` (the backend pins it, whatever the
 * user's `diff.context`), so a last hunk ending with fewer than this many reaches the end of the file.
 */
export const DIFF_CONTEXT_LINES = 3;

export const FileChangeStatus = z.enum(['added', 'modified', 'deleted', 'renamed', 'copied', 'type_changed']);

export const FileDiff = z.object({
  path: z.string(),
  oldPath: z.string().nullable(),
  status: FileChangeStatus,
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  binary: z.boolean(),
  /** The unified diff for this file, as `git diff` prints it. */
  patch: z.string(),
});
export type FileDiff = z.output<typeof FileDiff>;

export const DiffResponse = z.object({
  /** The merge-base of the session branch and its base branch: what the diff is against. */
  mergeBase: z.string(),
  files: z.array(FileDiff),
});
export type DiffResponse = z.output<typeof DiffResponse>;
