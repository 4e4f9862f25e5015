import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError } from '../errors.js';
import { CHATML_IDENTITY } from './git-identity.js';
import { archiveRef, restoredRef } from './ref-names.js';
import { runGit, runGitRaw } from './run-git.js';
import { withSnapshotIndex } from './snapshot-index.js';

export interface SavedWork {
  /** `refs/chatml/archive/<sessionId>` when there was uncommitted work, else null. */
  archivedRef: string | null;
  /** The worktree's HEAD (the session branch tip) at the time of saving. */
  headSha: string;
  /** Git-ignored files saved with the work (small, standalone: `.env`, local config). */
  keptIgnored: string[];
  /** Git-ignored paths not saved — whole ignored folders (`build/`), large files — and so deleted. */
  droppedIgnored: string[];
  /** The folder was there but no longer a git worktree: nothing saved, and the folder left as it is. */
  leftFolder?: boolean;
}

/**
 * Which git-ignored files an archive keeps. Ignored does not mean worthless: `.env` and local config
 * files are ignored precisely because they are personal, and a removed worktree would take them
 * along. Whole ignored folders (dependencies, build output) are regenerated, and large files are
 * usually artefacts: those go with the worktree, and the archive says which.
 */
const KEEP_IGNORED = { fileBytes: 1 << 20, totalBytes: 16 << 20, files: 500 };

/**
 * Saves everything uncommitted in `worktreePath` — tracked changes, deletions, untracked files and
 * small git-ignored files (`KEEP_IGNORED`; whole ignored folders are not saved, and are reported in
 * `droppedIgnored`) — as one commit whose parent is HEAD, on `refs/chatml/archive/<sessionId>`.
 * Neither the worktree's files nor its index are changed. With nothing uncommitted, no ref is
 * written and `archivedRef` is null. An older archive of the same session that is overwritten stays
 * in that ref's reflog.
 */
export async function saveUncommittedWork(worktreePath: string, sessionId: string): Promise<SavedWork> {
  const ref = archiveRef(sessionId);
  const headSha = await revParse(worktreePath, 'HEAD');
  const headTree = await revParse(worktreePath, 'HEAD^{tree}');
  const { tree, keptIgnored, droppedIgnored } = await withSnapshotIndex(
    worktreePath,
    async ({ env, unindexedRepos }) => {
      const nestedRepos = [...unindexedRepos, ...(await newGitlinks(worktreePath, env))];
      if (nestedRepos.length > 0) {
        // Removing the worktree deletes these folders, and a commit cannot hold their contents.
        throw new ConflictError(
          `${worktreePath} contains git repositories whose files cannot be archived: ${nestedRepos.join(', ')} — move them out of the session folder (or commit them as submodules) and try again.`,
        );
      }
      const ignored = await sortIgnored(worktreePath, env);
      if (ignored.keep.length > 0) {
        await runGit(['add', '--force', '--pathspec-from-file=-', '--pathspec-file-nul'], {
          cwd: worktreePath,
          env: { ...env, GIT_LITERAL_PATHSPECS: '1' },
          input: ignored.keep.join('\0'),
        });
      }
      const { stdout } = await runGit(['write-tree'], { cwd: worktreePath, env: { ...env } });
      return { tree: stdout.trim(), keptIgnored: ignored.keep, droppedIgnored: ignored.drop };
    },
  );
  if (tree === headTree) return { archivedRef: null, headSha, keptIgnored, droppedIgnored };

  const message = `chatml: uncommitted work of session ${sessionId}\n\nParent: the session branch at archive time. Tree: its working tree, untracked files included.\n`;
  const { stdout } = await runGit(['commit-tree', '--no-gpg-sign', '-p', headSha, '-F', '-', tree], {
    cwd: worktreePath,
    env: CHATML_IDENTITY,
    input: message,
  });
  const commitSha = stdout.trim();
  await runGit(
    ['update-ref', '--create-reflog', '-m', `chatml: archive session ${sessionId}`, ref, commitSha],
    {
      cwd: worktreePath,
    },
  );
  return { archivedRef: ref, headSha, keptIgnored, droppedIgnored };
}

/** The worktree's git-ignored entries, split into what an archive keeps and what it lets go. */
async function sortIgnored(
  worktreePath: string,
  env: { GIT_INDEX_FILE: string },
): Promise<{ keep: string[]; drop: string[] }> {
  // --directory: a folder whose files are all ignored is one `dir/` entry, not thousands of files.
  const { stdout } = await runGit(
    ['ls-files', '--others', '--ignored', '--exclude-standard', '--directory', '-z'],
    { cwd: worktreePath, env: { ...env } },
  );
  const keep: string[] = [];
  const drop: string[] = [];
  let totalBytes = 0;
  for (const path of stdout.split('\0').filter((entry) => entry !== '')) {
    if (path.endsWith('/')) {
      drop.push(path);
      continue;
    }
    const size = await lstat(join(worktreePath, path)).then(
      (stats) => (stats.isFile() || stats.isSymbolicLink() ? stats.size : null),
      () => null,
    );
    const fits =
      size !== null &&
      size <= KEEP_IGNORED.fileBytes &&
      totalBytes + size <= KEEP_IGNORED.totalBytes &&
      keep.length < KEEP_IGNORED.files;
    if (fits) {
      keep.push(path);
      totalBytes += size;
    } else if (size !== null) {
      drop.push(path);
    }
  }
  return { keep, drop };
}

/** What restoring found: no archive, an archive brought back cleanly, or one with conflicts. */
export type ArchiveOutcome = 'none' | 'reapplied' | 'conflicted';

/**
 * Brings the archived uncommitted work of `sessionId` back into the freshly created `worktreePath`
 * as uncommitted changes (nothing staged; new files untracked again). When the branch has not
 * moved since archiving, the files are restored exactly; when it has, the changes are merged in
 * three ways and conflicts are left as markers (outcome `conflicted`, archive ref kept). After a
 * clean re-apply the archive moves to `refs/chatml/restored/<sessionId>`: kept, never re-applied.
 */
export async function reapplyArchivedWork(worktreePath: string, sessionId: string): Promise<ArchiveOutcome> {
  const ref = archiveRef(sessionId);
  const archiveSha = await revParse(worktreePath, `${ref}^{commit}`, true);
  if (archiveSha === null) return 'none';
  const parentSha = await revParse(worktreePath, `${archiveSha}^`);
  const headSha = await revParse(worktreePath, 'HEAD');

  if (parentSha === headSha) {
    // Two-tree read-tree moves index and files from HEAD to the archive; the mixed reset then puts
    // the index back to HEAD, leaving every change unstaged and new files untracked, as they were.
    await runGit(['read-tree', '-m', '-u', headSha, archiveSha], { cwd: worktreePath });
  } else {
    const { stdout: patch } = await runGitRaw(['diff', '--binary', '--full-index', parentSha, archiveSha], {
      cwd: worktreePath,
      config: { 'diff.noprefix': 'false', 'diff.mnemonicPrefix': 'false' },
    });
    const applied = await runGit(['apply', '--3way', '--whitespace=nowarn'], {
      cwd: worktreePath,
      input: patch,
      okExitCodes: [0, 1],
    });
    if (applied.exitCode !== 0) return 'conflicted';
  }
  await runGit(['reset', '--quiet'], { cwd: worktreePath });
  await runGit(['update-ref', '--stdin'], {
    cwd: worktreePath,
    // One transaction: the archive is never in both refs or in neither.
    input: `update ${restoredRef(sessionId)} ${archiveSha}\ndelete ${ref} ${archiveSha}\n`,
  });
  return 'reapplied';
}

/**
 * Paths the snapshot records as gitlinks (mode 160000) that HEAD does not: repositories created or
 * cloned inside the worktree. A gitlink stores only a commit id, not the files.
 */
async function newGitlinks(worktreePath: string, env: { GIT_INDEX_FILE: string }): Promise<string[]> {
  const { stdout } = await runGit(['diff', '--cached', '--raw', '-z', '--no-renames', 'HEAD'], {
    cwd: worktreePath,
    env: { ...env },
  });
  const fields = stdout.split('\0');
  const paths: string[] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const [sourceMode, destinationMode] = (fields[index] ?? '').slice(1).split(' ');
    if (destinationMode === '160000' && sourceMode !== '160000') paths.push(fields[index + 1] ?? '');
  }
  return paths;
}

/** The object name of `revision`; with `mayBeMissing`, null instead of an error when it does not exist. */
async function revParse(cwd: string, revision: string): Promise<string>;
async function revParse(cwd: string, revision: string, mayBeMissing: true): Promise<string | null>;
async function revParse(cwd: string, revision: string, mayBeMissing = false): Promise<string | null> {
  const { stdout, exitCode } = await runGit(['rev-parse', '-q', '--verify', '--end-of-options', revision], {
    cwd,
    okExitCodes: mayBeMissing ? [0, 1] : [0],
  });
  return exitCode === 0 ? stdout.trim() : null;
}

/** What happened to git-ignored files on archive, for the session's status line; null if none. */
export function describeIgnored(saved: Pick<SavedWork, 'keptIgnored' | 'droppedIgnored'>): string | null {
  const list = (paths: string[]) =>
    paths.length > 5 ? `${paths.slice(0, 5).join(', ')} and ${paths.length - 5} more` : paths.join(', ');
  const parts = [];
  if (saved.keptIgnored.length > 0)
    parts.push(`Git-ignored files saved with the work: ${list(saved.keptIgnored)}.`);
  if (saved.droppedIgnored.length > 0)
    parts.push(
      `Deleted with the worktree (git-ignored folders and large files, not saved): ${list(saved.droppedIgnored)}.`,
    );
  return parts.length > 0 ? parts.join(' ') : null;
}
