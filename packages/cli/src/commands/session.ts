import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import {
  CommitResponse,
  CreatePullRequestResponse,
  DiffPage,
  MergeResponse,
  PullRequestDraft,
  PullRequestStatusResponse,
  PushResponse,
  SendMessageResponse,
  Session,
  SessionList,
  type Workspace,
  WorkspaceList,
} from '@chatml/protocol';
import { defaultChatmlHome } from '@chatml/server';
import { ApiClient, ApiError } from '../api-client.js';
import { CliError } from './cli-error.js';
import { type TurnResult, waitForTurn } from './wait-for-turn.js';

/**
 * `chatml session …`: sessions over the running backend's API v1, for scripts and terminals.
 * Every command prints something readable, or with `--json` one JSON document on stdout; errors go
 * to stderr with a non-zero exit code.
 */

export interface CommonOptions {
  home?: string;
  json?: boolean;
  workspace?: string;
}

export { CliError } from './cli-error.js';

const connect = (options: CommonOptions) => ApiClient.connect(options.home ?? defaultChatmlHome());

const print = (options: CommonOptions, json: unknown, text: () => string) => {
  console.log(options.json ? JSON.stringify(json, null, 2) : text());
};

// ---- resolving what the user named -------------------------------------------------------------

/**
 * A workspace by id, name or path. A path may be anywhere inside the repository (`.` from a
 * subfolder works); with `register`, a repository that is not a workspace yet is added.
 */
export async function resolveWorkspace(
  api: ApiClient,
  ref: string,
  { register = false }: { register?: boolean } = {},
): Promise<Workspace> {
  const { workspaces } = await api.get(WorkspaceList, '/workspaces');
  const byId = workspaces.find((workspace) => workspace.id === ref || workspace.name === ref);
  if (byId) return byId;
  const path = realpathOrUndefined(resolve(ref));
  if (path) {
    const containing = workspaces
      .filter((workspace) => isInside(path, realpathOrUndefined(workspace.path)))
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (containing) return containing;
    if (register) return api.post(WorkspaceSchema, '/workspaces', { path });
  }
  throw new CliError(
    `No workspace matches ${JSON.stringify(ref)}. Add it in the app, or pass its path to \`chatml session new --workspace <path>\`.`,
  );
}

const WorkspaceSchema = WorkspaceList.shape.workspaces.element;

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function isInside(path: string, root: string | undefined): boolean {
  if (!root) return false;
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A session by id, or by name or branch (within `--workspace` when given, else across all). */
export async function resolveSession(api: ApiClient, ref: string, options: CommonOptions): Promise<Session> {
  if (ref.startsWith('ses_')) {
    try {
      return await api.get(Session, `/sessions/${encodeURIComponent(ref)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) throw new CliError(`No session ${ref}.`);
      throw error;
    }
  }
  const workspaces = options.workspace
    ? [await resolveWorkspace(api, options.workspace)]
    : (await api.get(WorkspaceList, '/workspaces')).workspaces;
  const matches: Session[] = [];
  for (const workspace of workspaces) {
    const { sessions } = await api.get(SessionList, `/workspaces/${workspace.id}/sessions`);
    matches.push(...sessions.filter((session) => session.name === ref || session.branch === ref));
  }
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) throw new CliError(`No session named ${JSON.stringify(ref)}.`);
  throw new CliError(
    `${matches.length} sessions are named ${JSON.stringify(ref)} (in different workspaces); pass --workspace or the session id.`,
  );
}

/** Print a finished turn's end; a turn that did not complete makes the command fail. */
function reportTurn(options: CommonOptions, session: Session, result: TurnResult): void {
  if (options.json) {
    console.log(JSON.stringify({ session, turn: result }, null, 2));
  } else {
    if (result.text && !result.text.endsWith('\n')) process.stdout.write('\n');
    if (result.outcome !== 'completed')
      console.error(`chatml: the turn ${result.outcome}${result.reason ? `: ${result.reason}` : ''}`);
  }
  if (result.outcome !== 'completed') process.exitCode = 1;
}

const streamTo = (options: CommonOptions) =>
  options.json ? undefined : (text: string) => process.stdout.write(text);
const noticeTo = () => (text: string) => console.error(`chatml: ${text}`);

// ---- commands ----------------------------------------------------------------------------------

export async function listSessions(options: CommonOptions & { all?: boolean }): Promise<void> {
  const api = await connect(options);
  const workspaces = options.workspace
    ? [await resolveWorkspace(api, options.workspace)]
    : (await api.get(WorkspaceList, '/workspaces')).workspaces;
  const rows: { workspace: Workspace; session: Session }[] = [];
  for (const workspace of workspaces) {
    const { sessions } = await api.get(SessionList, `/workspaces/${workspace.id}/sessions`);
    for (const session of sessions)
      if (options.all || session.status !== 'archived') rows.push({ workspace, session });
  }
  print(options, { sessions: rows.map((row) => row.session) }, () =>
    rows.length === 0
      ? 'No sessions.'
      : table(
          ['NAME', 'STATUS', 'BRANCH', 'CHANGES', 'WORKSPACE', 'ID'],
          rows.map(({ workspace, session }) => [
            session.name,
            session.status,
            session.branch,
            session.diffStats ? `+${session.diffStats.additions} -${session.diffStats.deletions}` : '',
            workspace.name,
            session.id,
          ]),
        ),
  );
}

export async function newSession(
  options: CommonOptions & {
    prompt?: string;
    name?: string;
    base?: string;
    model?: string;
    permissionMode?: string;
    wait?: boolean;
  },
): Promise<void> {
  const api = await connect(options);
  const workspace = await resolveWorkspace(api, options.workspace ?? '.', { register: true });
  if (options.wait && !options.prompt)
    throw new CliError('--wait needs --prompt (there is no turn to wait for).');
  const session = await api.post(Session, `/workspaces/${workspace.id}/sessions`, {
    prompt: options.prompt,
    name: options.name,
    baseBranch: options.base,
    model: options.model,
    permissionMode: options.permissionMode,
  });
  if (!options.wait) {
    print(options, session, () => `Created ${session.name} on ${session.branch} (${session.worktreePath}).`);
    return;
  }
  if (!options.json) console.error(`chatml: created ${session.name} on ${session.branch}`);
  const result = await waitForTurn(api, session.id, {
    afterSeq: 0,
    onText: streamTo(options),
    onNotice: noticeTo(),
  });
  reportTurn(options, await api.get(Session, `/sessions/${session.id}`), result);
}

export async function sendToSession(
  ref: string,
  words: string[],
  options: CommonOptions & { wait?: boolean },
): Promise<void> {
  const text = words.join(' ').trim();
  if (!text) throw new CliError('Nothing to send: give the message text.');
  const api = await connect(options);
  const session = await resolveSession(api, ref, options);
  const sent = await api.post(SendMessageResponse, `/sessions/${session.id}/messages`, { text });
  if (!options.wait) {
    print(options, sent, () =>
      sent.queued ? `Queued for ${session.name} (it is busy).` : `Sent to ${session.name}.`,
    );
    return;
  }
  const result = await waitForTurn(api, session.id, {
    afterSeq: session.lastSeq,
    messageId: sent.messageId,
    onText: streamTo(options),
    onNotice: noticeTo(),
  });
  reportTurn(options, await api.get(Session, `/sessions/${session.id}`), result);
}

export async function showDiff(ref: string, options: CommonOptions & { stat?: boolean }): Promise<void> {
  const api = await connect(options);
  const session = await resolveSession(api, ref, options);
  const diff = await api.get(DiffPage, `/sessions/${session.id}/diff`);
  print(options, diff, () => {
    if (diff.files.length === 0) return `${session.name} has no changes against ${session.baseBranch}.`;
    if (options.stat)
      return [
        ...diff.files.map((file) => `${file.path}  +${file.additions} -${file.deletions}`),
        `${diff.files.length} files, +${diff.additions} -${diff.deletions}`,
      ].join('\n');
    return diff.files.map((file) => file.patch.replace(/\n$/, '')).join('\n');
  });
}

export async function commitSession(
  ref: string,
  options: CommonOptions & { message: string },
): Promise<void> {
  const api = await connect(options);
  const session = await resolveSession(api, ref, options);
  const { sha } = await api.post(CommitResponse, `/sessions/${session.id}/commit`, {
    message: options.message,
  });
  print(options, { sha }, () => `Committed ${sha.slice(0, 12)} on ${session.branch}.`);
}

export async function mergeSession(
  ref: string,
  options: CommonOptions & { strategy: string; archive?: boolean; message?: string },
): Promise<void> {
  const api = await connect(options);
  const session = await resolveSession(api, ref, options);
  try {
    const merged = await api.post(MergeResponse, `/sessions/${session.id}/merge`, {
      strategy: options.strategy,
      archive: options.archive,
      message: options.message,
    });
    print(options, merged, () =>
      [
        `Merged ${session.branch} into ${merged.baseBranch} (${merged.strategy}): ${merged.sha.slice(0, 12)}.`,
        merged.updatedCheckout ? `Updated the checkout at ${merged.updatedCheckout}.` : '',
        merged.archived
          ? `Archived ${session.name}${merged.branchDeleted ? ' and deleted its branch' : ''}.`
          : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  } catch (error) {
    const conflicts = error instanceof ApiError ? error.details.conflicts : undefined;
    if (Array.isArray(conflicts) && conflicts.length > 0)
      throw new CliError(`${(error as Error).message}\nConflicting files:\n  ${conflicts.join('\n  ')}`);
    throw error;
  }
}

export async function pushSession(ref: string, options: CommonOptions & { force?: boolean }): Promise<void> {
  const api = await connect(options);
  const session = await resolveSession(api, ref, options);
  const pushed = await api.post(PushResponse, `/sessions/${session.id}/push`, { force: options.force });
  print(options, pushed, () =>
    pushed.isUpdated
      ? `Pushed ${pushed.branch} to ${pushed.remote} (${pushed.sha.slice(0, 12)}${pushed.isForced ? ', forced' : ''}).`
      : `${pushed.remote}/${pushed.branch} is already at ${pushed.sha.slice(0, 12)}.`,
  );
}

export async function pullRequest(
  ref: string,
  options: CommonOptions & { title?: string; body?: string; draft?: boolean; status?: boolean },
): Promise<void> {
  const api = await connect(options);
  const session = await resolveSession(api, ref, options);
  if (options.status) {
    const status = await api.get(PullRequestStatusResponse, `/sessions/${session.id}/pr`);
    if (!status) {
      print(
        options,
        null,
        () => `${session.name} has no pull request yet (create one with: chatml session pr ${session.name}).`,
      );
      return;
    }
    print(options, status, () =>
      [
        `#${status.number} ${status.state}${status.mergeable === null ? '' : status.mergeable ? ', mergeable' : ', not mergeable'}: ${status.url}`,
        ...status.checks.map((check) => `  check ${check.name}: ${check.conclusion ?? check.status}`),
        ...status.comments.map(
          (comment) =>
            `  comment ${comment.path ?? ''}${comment.line ? `:${comment.line}` : ''} ${comment.author}: ${comment.body.split('\n')[0]}`,
        ),
      ].join('\n'),
    );
    return;
  }
  // Title and body default to what the app would prefill (first prompt line, the repo's PR template).
  const prefill =
    options.title === undefined || options.body === undefined
      ? await api.get(PullRequestDraft, `/sessions/${session.id}/pr/prefill`)
      : undefined;
  const created = await api.post(CreatePullRequestResponse, `/sessions/${session.id}/pr`, {
    title: options.title ?? prefill?.title,
    body: options.body ?? prefill?.body ?? '',
    draft: options.draft,
  });
  print(options, created, () =>
    created.isExisting ? `A pull request is already open: ${created.url}` : `Opened ${created.url}`,
  );
}

export async function archiveSession(ref: string, options: CommonOptions): Promise<void> {
  const api = await connect(options);
  const session = await resolveSession(api, ref, options);
  const archived = await api.post(Session, `/sessions/${session.id}/archive`);
  print(
    options,
    archived,
    () => `Archived ${archived.name}; its branch ${archived.branch} and transcript are kept.`,
  );
}

/** Columns padded to their widest cell; the last column is not padded. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  '),
    )
    .join('\n');
}
