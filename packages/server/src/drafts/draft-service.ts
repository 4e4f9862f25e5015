import type { CommitMessageDraft, PullRequestDraft, Session } from '@chatml/protocol';
import { ConflictError, SessionArchivedError } from '../errors.js';
import { findPullRequestTemplate } from '../forge/pr-template.js';
import { sessionDiff } from '../git/diff-service.js';
import { runGit } from '../git/run-git.js';
import { withSnapshotIndex } from '../git/snapshot-index.js';
import { hasWorktree } from '../git/worktree-presence.js';
import type { SessionManager } from '../sessions/session-manager.js';
import {
  boundedDiff,
  cleanAnswer,
  commitMessagePrompt,
  DRAFT_SYSTEM_PROMPT,
  MAX_DIFF_CHARS,
  parsePullRequestAnswer,
  pullRequestPrompt,
} from './draft-prompts.js';
import { runOneShotProcess } from './oneshot-process.js';

export interface DraftServiceDeps {
  sessions: SessionManager;
  /** `ONESHOT_MAIN_PATH` from `@chatml/runner`. */
  oneShotMainPath: string;
  /** The same environment a session's runner gets (model credentials and endpoint, PATH, HOME). */
  envFor(sessionId: string): NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const DIFF_FLAGS = [
  '--no-color',
  '--no-ext-diff',
  '--no-textconv',
  '--find-renames',
  '--src-prefix=a/',
  '--dst-prefix=b/',
];

/**
 * AI drafts of a commit message (from the worktree's uncommitted changes) and of a pull request's
 * title and body (from the whole session diff, its commits and the repository's PR template), each
 * from one model call in a one-shot runner process in the session's worktree.
 */
export class DraftService {
  /** Aborted on shutdown: running one-shot processes are killed with their process groups. */
  private readonly lifetime = new AbortController();

  constructor(private readonly deps: DraftServiceDeps) {}

  dispose(): void {
    this.lifetime.abort();
  }

  async commitMessage(sessionId: string): Promise<CommitMessageDraft> {
    const session = this.liveSession(sessionId);
    const diff = await withSnapshotIndex(session.worktreePath, async ({ env }) => {
      const { stdout } = await runGit(['diff', '--cached', '--stat', '--patch', ...DIFF_FLAGS, 'HEAD'], {
        cwd: session.worktreePath,
        env: { ...env },
      });
      return stdout;
    });
    if (diff.trim() === '') throw new ConflictError('There is nothing to commit in this session.');
    const text = await this.ask(session, commitMessagePrompt(truncate(diff)));
    return { message: cleanAnswer(text) };
  }

  async pullRequest(sessionId: string): Promise<PullRequestDraft> {
    const session = this.liveSession(sessionId);
    const diff = await sessionDiff({ worktreePath: session.worktreePath, baseBranch: session.baseBranch });
    if (diff.files.length === 0) throw new ConflictError('This session has not changed anything yet.');
    const { stdout: commits } = await runGit(
      ['log', '--no-color', '--format=- %s', '--max-count=100', `${diff.mergeBase}..HEAD`],
      { cwd: session.worktreePath },
    );
    const template = await findPullRequestTemplate(session.worktreePath);
    const text = await this.ask(
      session,
      pullRequestPrompt({ diff: boundedDiff(diff.files), commits, template }),
    );
    return parsePullRequestAnswer(text, template);
  }

  private ask(session: Session, prompt: string): Promise<string> {
    return runOneShotProcess({
      mainPath: this.deps.oneShotMainPath,
      env: this.deps.envFor(session.id),
      timeoutMs: this.deps.timeoutMs,
      signal: this.lifetime.signal,
      request: {
        cwd: session.worktreePath,
        prompt,
        systemPrompt: DRAFT_SYSTEM_PROMPT,
        model: session.model ?? undefined,
      },
    });
  }

  private liveSession(sessionId: string): Session {
    const session = this.deps.sessions.get(sessionId);
    if (session.status === 'archived') throw new SessionArchivedError(sessionId);
    if (!hasWorktree(session.worktreePath))
      throw new ConflictError(`The worktree ${session.worktreePath} is missing; restore the session first.`);
    return session;
  }
}

function truncate(diff: string): string {
  return diff.length <= MAX_DIFF_CHARS
    ? diff
    : `${diff.slice(0, MAX_DIFF_CHARS)}\n(diff cut here: too long)\n`;
}
