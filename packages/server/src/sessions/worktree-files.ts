import type { SessionFiles } from '@chatml/protocol';
import { runGit } from '../git/run-git.js';

/** Bytes of `git ls-files` output read at most; beyond it the listing is cut (and says so). */
const MAX_LISTING_BYTES = 32 * 1024 * 1024;

/**
 * The files of a worktree as the composer's `@` picker offers them: tracked files and untracked
 * ones that are not ignored (`git ls-files --cached --others --exclude-standard`), worktree-relative,
 * deduplicated (a conflicted file is listed once per stage) and sorted, at most `limit` of them.
 *
 * @example
 * const { files, isTruncated } = await listWorktreeFiles('/data/worktrees/ws_1/brave-otter', 20_000);
 */
export async function listWorktreeFiles(
  worktreePath: string,
  limit: number,
  signal?: AbortSignal,
): Promise<SessionFiles> {
  const { stdout } = await runGit(['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: worktreePath,
    // Paths as they are (no octal quoting of non-ASCII names): the picker inserts them verbatim.
    config: { 'core.quotePath': 'false' },
    maxBuffer: MAX_LISTING_BYTES,
    signal,
  });
  const unique = [...new Set(stdout.split('\0').filter((path) => path !== ''))].sort();
  return { files: unique.slice(0, limit), isTruncated: unique.length > limit };
}
