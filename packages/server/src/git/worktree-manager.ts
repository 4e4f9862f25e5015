import { lstat, mkdir, realpath, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { archiveRef, validateBranchName } from './ref-names.js';
import { runGit } from './run-git.js';
import {
  type ArchiveOutcome,
  reapplyArchivedWork,
  type SavedWork,
  saveUncommittedWork,
} from './work-archive.js';
import { listWorktrees, type WorktreeInfo } from './worktree-list.js';
import { hasWorktree } from './worktree-presence.js';

export interface CreateWorktreeOptions {
  /** The workspace's repository (its main checkout). */
  repoPath: string;
  /** Absolute path of the new worktree (under the app data dir; the caller picks it). Must not exist. */
  worktreePath: string;
  /** New branch to create, e.g. `chatml/brave-otter`. Must not exist. */
  branch: string;
  /** Branch (or `origin/…` name) to cut from. */
  baseBranch: string;
}

export interface RemoveWorktreeOptions {
  repoPath: string;
  worktreePath: string;
  /** Names the archive ref: `refs/chatml/archive/<sessionId>`. */
  sessionId: string;
}

export interface RestoreWorktreeOptions {
  repoPath: string;
  worktreePath: string;
  /** The session's existing branch, checked out again. */
  branch: string;
  sessionId: string;
}

/**
 * Creates, removes (archiving uncommitted work first), restores, lists and prunes the worktrees of
 * sessions. Commands that change a repository's worktrees run one at a time per repository, so two
 * sessions created at once cannot race on `.git/worktrees` or on the same branch name.
 */
export class WorktreeManager {
  private readonly queues = new Map<string, Promise<unknown>>();

  /**
   * `git worktree add -b <branch> <worktreePath> <baseBranch>`. Throws ConflictError when the branch
   * or the path already exists, BadRequestError when the base branch does not; on any failure
   * nothing is left behind (no folder, no branch, no worktree entry).
   */
  async create(options: CreateWorktreeOptions): Promise<{ headSha: string }> {
    const branch = await validateBranchName(options.branch);
    const baseBranch = await validateBranchName(options.baseBranch);
    const worktreePath = absolute(options.worktreePath);
    return this.serialize(options.repoPath, async () => {
      const { repoPath } = options;
      if (await exists(worktreePath)) {
        throw new ConflictError(`${worktreePath} already exists — a new session needs a fresh folder.`);
      }
      if (await branchExists(repoPath, branch)) {
        throw new ConflictError(`The branch ${branch} already exists — pick another session name.`);
      }
      const baseSha = await resolveCommit(repoPath, baseBranch);
      if (baseSha === null) {
        throw new BadRequestError(
          `The base branch ${JSON.stringify(baseBranch)} does not exist in ${repoPath}.`,
        );
      }
      await mkdir(dirname(worktreePath), { recursive: true });
      try {
        // Cut from the resolved commit, not the name: no upstream is set (a push must never target
        // the base branch) and the base cannot move between our check and git's checkout.
        await runGit(['worktree', 'add', '--quiet', '-b', branch, '--', worktreePath, baseSha], {
          cwd: repoPath,
          config: PARALLEL_CHECKOUT,
        });
      } catch (error) {
        await this.undoCreate(repoPath, worktreePath, branch);
        throw error;
      }
      return { headSha: baseSha };
    });
  }

  /**
   * Saves uncommitted work (tracked changes, untracked files, small ignored files) as a commit on
   * `refs/chatml/archive/<sessionId>` whose parent is the worktree's HEAD, then removes the worktree.
   * The branch is kept. `archivedRef` is null when there was nothing uncommitted (or the folder was
   * already gone). Throws NotFoundError when `worktreePath` is not a worktree of `repoPath`.
   */
  async remove(options: RemoveWorktreeOptions): Promise<SavedWork> {
    archiveRef(options.sessionId); // validates the id before anything runs
    const worktreePath = absolute(options.worktreePath);
    return this.serialize(options.repoPath, async () => {
      const { repoPath, sessionId } = options;
      const entry = await findWorktree(repoPath, worktreePath);
      if (!entry || entry.isMain) throw new NotFoundError('Worktree', worktreePath);
      if (!hasWorktree(worktreePath)) {
        // Deleted by hand: its files are gone already, or what is in the folder now is outside git
        // (nothing to save with git, and not ours to delete: it stays). Drop the stale entry so the
        // branch is free.
        const leftFolder = await exists(worktreePath);
        await runGit(['worktree', 'prune'], { cwd: repoPath });
        if (entry.headSha === null) throw new NotFoundError('Worktree', worktreePath);
        const saved = { archivedRef: null, headSha: entry.headSha, keptIgnored: [], droppedIgnored: [] };
        return leftFolder ? { ...saved, leftFolder } : saved;
      }
      const saved = await saveUncommittedWork(worktreePath, sessionId);
      await runGit(['worktree', 'remove', '--force', '--', worktreePath], { cwd: repoPath });
      return saved;
    });
  }

  /**
   * Re-creates the worktree of an archived session from its branch and brings back the work saved
   * by `remove` as uncommitted changes. `archive` tells whether there was any, and whether it went
   * back cleanly or left conflict markers (only possible when the branch moved meanwhile).
   */
  async restore(
    options: RestoreWorktreeOptions,
  ): Promise<{ headSha: string; archive: ArchiveOutcome; movedAside?: string }> {
    archiveRef(options.sessionId);
    const branch = await validateBranchName(options.branch);
    const worktreePath = absolute(options.worktreePath);
    return this.serialize(options.repoPath, async () => {
      const { repoPath, sessionId } = options;
      let movedAside: string | undefined;
      if (hasWorktree(worktreePath)) {
        throw new ConflictError(`${worktreePath} already exists — cannot restore the session there.`);
      }
      if (await exists(worktreePath)) {
        // A folder without git where the worktree was (files written after it was deleted): kept,
        // next to it, for the user to look through.
        movedAside = `${worktreePath}.moved-aside-${Date.now()}`;
        await rename(worktreePath, movedAside);
      }
      if (!(await branchExists(repoPath, branch))) throw new NotFoundError('Branch', branch);
      const holder = (await listWorktrees(repoPath)).find((worktree) => worktree.branch === branch);
      if (holder) {
        throw new ConflictError(
          `The branch ${branch} is checked out at ${holder.path} — switch that checkout away first.`,
        );
      }
      await mkdir(dirname(worktreePath), { recursive: true });
      await runGit(['worktree', 'add', '--quiet', '--', worktreePath, branch], {
        cwd: repoPath,
        config: PARALLEL_CHECKOUT,
      });
      try {
        const archive = await reapplyArchivedWork(worktreePath, sessionId);
        const headSha = (await runGit(['rev-parse', 'HEAD'], { cwd: worktreePath })).stdout.trim();
        return movedAside ? { headSha, archive, movedAside } : { headSha, archive };
      } catch (error) {
        // The archive ref is untouched when re-applying fails, so dropping the half-restored folder
        // loses nothing and lets the user retry.
        await runGit(['worktree', 'remove', '--force', '--', worktreePath], { cwd: repoPath }).catch(() => {
          // Best effort: the prune below still drops the entry once the folder is gone.
        });
        await rm(worktreePath, { recursive: true, force: true });
        await runGit(['worktree', 'prune'], { cwd: repoPath });
        throw error;
      }
    });
  }

  /** The repository's worktrees (`git worktree list --porcelain -z`), main checkout first. */
  list(repoPath: string): Promise<WorktreeInfo[]> {
    return listWorktrees(repoPath);
  }

  /** Drops entries of worktrees whose folders are gone (`git worktree prune`). Never deletes files. */
  async prune(repoPath: string): Promise<void> {
    await this.serialize(repoPath, () => runGit(['worktree', 'prune'], { cwd: repoPath }));
  }

  /** Runs `task` after every earlier task of the same repository has finished. */
  private serialize<T>(repoPath: string, task: () => Promise<T>): Promise<T> {
    const key = resolve(repoPath);
    const previous = this.queues.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const settled = result.then(
      () => {},
      () => {},
    );
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return result;
  }

  /** Removes what a failed `worktree add` may have left. Only called when neither existed before. */
  private async undoCreate(repoPath: string, worktreePath: string, branch: string): Promise<void> {
    await rm(worktreePath, { recursive: true, force: true });
    await runGit(['worktree', 'prune'], { cwd: repoPath });
    if (await branchExists(repoPath, branch)) {
      await runGit(['branch', '-D', '--', branch], { cwd: repoPath });
    }
  }
}

/**
 * Writing thousands of files one by one is latency-bound; git's parallel checkout (2.32+) makes a
 * 20k-file worktree several times faster on slow disks and is ignored by older git.
 */
const PARALLEL_CHECKOUT = { 'checkout.workers': '8' };

function absolute(path: string): string {
  if (!isAbsolute(path))
    throw new BadRequestError(`Worktree paths must be absolute, got ${JSON.stringify(path)}.`);
  return resolve(path);
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

async function branchExists(repoPath: string, branch: string): Promise<boolean> {
  const { exitCode } = await runGit(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], {
    cwd: repoPath,
    okExitCodes: [0, 1],
  });
  return exitCode === 0;
}

async function resolveCommit(repoPath: string, revision: string): Promise<string | null> {
  const { stdout, exitCode } = await runGit(
    ['rev-parse', '-q', '--verify', '--end-of-options', `${revision}^{commit}`],
    { cwd: repoPath, okExitCodes: [0, 1] },
  );
  return exitCode === 0 ? stdout.trim() : null;
}

/** The registered worktree at `worktreePath`, comparing real paths (git stores them resolved). */
async function findWorktree(repoPath: string, worktreePath: string): Promise<WorktreeInfo | undefined> {
  const wanted = await realpath(worktreePath).catch(() => worktreePath);
  const worktrees = await listWorktrees(repoPath);
  return worktrees.find((worktree) => worktree.path === wanted || worktree.path === worktreePath);
}
