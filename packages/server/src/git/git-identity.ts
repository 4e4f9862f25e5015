import { GitError } from '../errors.js';
import { runGit } from './run-git.js';

/** Commits ChatML makes itself need no user identity (CI and fresh machines have none). */
export const CHATML_IDENTITY = {
  GIT_AUTHOR_NAME: 'ChatML',
  GIT_AUTHOR_EMAIL: 'chatml@localhost',
  GIT_COMMITTER_NAME: 'ChatML',
  GIT_COMMITTER_EMAIL: 'chatml@localhost',
} as const;

const NO_IDENTITY = /Please tell me who you are|unable to auto-detect email address|empty ident name/;

/**
 * Runs a commit-making git command with the user's own identity, and only if git has none (a
 * fresh machine, CI) again as `ChatML <chatml@localhost>`: a commit made for the user should carry
 * their name, but a missing `user.email` must not make commit, sync or merge-back unusable. Only
 * safe for commands that change nothing when they fail for lack of an identity (`commit`,
 * `commit-tree`); rebase and merge ask `identityEnv` up front instead.
 */
export async function withCommitIdentity<T>(run: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  try {
    return await run({});
  } catch (error) {
    if (!(error instanceof GitError) || !NO_IDENTITY.test(error.stderr)) throw error;
    return run({ ...CHATML_IDENTITY });
  }
}

/** `{}` when git knows who the user is in `cwd`, else ChatML's identity (see withCommitIdentity). */
export async function identityEnv(cwd: string): Promise<NodeJS.ProcessEnv> {
  const { exitCode } = await runGit(['var', 'GIT_COMMITTER_IDENT'], { cwd, okExitCodes: [0, 128] });
  return exitCode === 0 ? {} : { ...CHATML_IDENTITY };
}
