import type { MergeStrategy } from '@chatml/protocol';
import { BadRequestError, ConflictError, GitError } from '../errors.js';
import { withCommitIdentity } from './git-identity.js';
import { branchNameProblem } from './ref-names.js';
import { runGit } from './run-git.js';
import { detectSyncInProgress } from './sync-state.js';
import { listWorktrees } from './worktree-list.js';

export interface MergeBackOptions {
  /** The workspace's repository (any checkout of it). */
  repoPath: string;
  /** A local branch: the one that receives the work. */
  baseBranch: string;
  /** The session branch whose commits are merged. */
  branch: string;
  strategy: MergeStrategy;
  message: string;
  /**
   * Awaited after the merge commit exists and before any ref or file changes: a check that may
   * still refuse (the caller's "session worktree is clean" check runs alongside the merge).
   */
  beforeUpdate?: () => Promise<unknown>;
}

export interface MergeBackResult {
  /** The new tip of the base branch. */
  sha: string;
  previousBaseSha: string;
  /** The session branch's tip that was merged. */
  mergedTip: string;
  /** The checkout that has the base branch checked out and whose files were updated, or null. */
  updatedCheckout: string | null;
}

/**
 * Puts the session branch's work onto the base branch as one squashed commit or as a merge commit
 * (always a real merge commit, so the session stays visible in history), without ever leaving any
 * checkout half-merged:
 *
 * 1. The result is computed without a worktree (`git merge-tree --write-tree`, git >= 2.38). If it
 *    conflicts, a ConflictError lists the paths and nothing has changed.
 * 2. The commit is made with `commit-tree` (the user's identity, ChatML's if git has none).
 * 3. Where the base branch is checked out (the main checkout or any other worktree), that checkout
 *    is moved the way `git merge` would move it: `read-tree -m -u <old> <new>` carries the user's
 *    uncommitted edits to other files forward untouched and refuses — before writing anything —
 *    when the merge touches a file they modified (ConflictError naming the files; the ref is put
 *    back, so nothing has changed). Where it is not checked out, only the ref moves.
 * 4. The ref moves by compare-and-swap (`update-ref <ref> <new> <old>`): if anyone moved the base
 *    meanwhile, nothing is overwritten and the merge is refused.
 *
 * @example
 * const { sha } = await mergeBack({ repoPath, baseBranch: 'main', branch: 'chatml/brave-otter', strategy: 'squash', message });
 */
export async function mergeBack(options: MergeBackOptions): Promise<MergeBackResult> {
  const { repoPath, strategy } = options;
  // Pure checks: both names come from the session record and are resolved as exact refs below.
  const baseBranch = checkedBranch(options.baseBranch);
  const branch = checkedBranch(options.branch);
  const baseRef = `refs/heads/${baseBranch}`;
  const [baseOld, tip] = await resolveRefs(repoPath, [baseRef, `refs/heads/${branch}`]);
  if (!baseOld) {
    throw new BadRequestError(
      `${baseBranch} is not a local branch, so there is nothing to merge into — push the session and open a pull request instead.`,
    );
  }
  if (!tip) throw new BadRequestError(`The session branch ${branch} does not exist.`);
  if (await isAncestor(repoPath, tip, baseOld)) {
    throw new ConflictError(`Nothing to merge: everything on ${branch} is already on ${baseBranch}.`);
  }

  const tree = await mergedTree(repoPath, baseOld, tip, baseBranch, branch);
  // A squash already merged (or work that reached the base another way) leaves the base's tree as
  // it is: that would be an empty commit on the base, so it is "nothing to merge" too.
  const baseTree = (await runGit(['rev-parse', `${baseOld}^{tree}`], { cwd: repoPath })).stdout.trim();
  if (strategy === 'squash' && tree === baseTree) {
    throw new ConflictError(
      `Nothing to merge: the changes on ${branch} are already on ${baseBranch} (merged before?).`,
    );
  }
  const parents = strategy === 'merge' ? ['-p', baseOld, '-p', tip] : ['-p', baseOld];
  const sha = await withCommitIdentity(async (env) => {
    const { stdout } = await runGit(['commit-tree', '--no-gpg-sign', ...parents, '-F', '-', tree], {
      cwd: repoPath,
      env,
      input: options.message,
    });
    return stdout.trim();
  });

  await options.beforeUpdate?.();
  const reflogMessage = `chatml: ${strategy === 'squash' ? 'squash-merge' : 'merge'} ${branch} into ${baseBranch}`;
  const holder = (await listWorktrees(repoPath)).find((worktree) => worktree.branch === baseBranch);
  if (!holder) {
    await moveRef(repoPath, baseRef, sha, baseOld, baseBranch, reflogMessage);
    return { sha, previousBaseSha: baseOld, mergedTip: tip, updatedCheckout: null };
  }
  await updateCheckout(holder.path, baseRef, baseOld, sha, baseBranch, reflogMessage);
  return { sha, previousBaseSha: baseOld, mergedTip: tip, updatedCheckout: holder.path };
}

function checkedBranch(name: string): string {
  const problem = branchNameProblem(name);
  if (problem) throw new BadRequestError(`${JSON.stringify(name)} is not a usable branch name: ${problem}.`);
  return name;
}

/**
 * Merges `tip` into `base` without a worktree (`git merge-tree --write-tree`, git >= 2.38): the
 * resulting tree, or the conflicted paths. Throws GitError on an older git.
 */
export async function mergeTree(
  cwd: string,
  base: string,
  tip: string,
  signal?: AbortSignal,
): Promise<{ tree: string; conflicts: [] } | { tree: null; conflicts: string[] }> {
  const result = await runGit(
    ['merge-tree', '--write-tree', '-z', '--name-only', '--no-messages', base, tip],
    {
      cwd,
      signal,
      okExitCodes: [0, 1, 129],
    },
  );
  if (result.exitCode === 129) {
    // git's own answer is its usage text: the reason is what the user needs.
    throw new GitError(
      ['merge-tree'],
      129,
      'error: merging back needs git 2.38 or newer (this git has no `merge-tree --write-tree`).',
    );
  }
  const [tree, ...rest] = result.stdout.split('\0');
  if (result.exitCode === 0 && tree) return { tree, conflicts: [] };
  return { tree: null, conflicts: [...new Set(rest.filter(Boolean))] };
}

/** The tree of base + session, or a ConflictError listing the conflicted paths. */
async function mergedTree(
  repoPath: string,
  baseOld: string,
  tip: string,
  baseBranch: string,
  branch: string,
): Promise<string> {
  const { tree, conflicts } = await mergeTree(repoPath, baseOld, tip);
  if (tree !== null) return tree;
  throw new ConflictError(
    `${branch} conflicts with ${baseBranch} in ${conflicts.join(', ')} — sync the session with ${baseBranch} (rebase or merge), resolve the conflicts, then merge back. Nothing was changed.`,
    { conflicts },
  );
}

/**
 * Moves a checkout that has the base branch checked out from `from` to `to`, keeping the user's
 * uncommitted work, or refuses without changing anything.
 */
async function updateCheckout(
  checkoutPath: string,
  baseRef: string,
  from: string,
  to: string,
  baseBranch: string,
  reflogMessage: string,
): Promise<void> {
  const busy = await detectSyncInProgress(checkoutPath);
  if (busy) {
    throw new ConflictError(
      `A ${busy.strategy} is in progress in ${checkoutPath}, where ${baseBranch} is checked out — finish or abort it there, then merge again. Nothing was changed.`,
      { conflicts: busy.conflicts },
    );
  }
  // The ref moves first (compare-and-swap), then the files; `read-tree -m -u` checks every path it
  // would touch before it writes anything, so when it refuses, nothing was written and putting the
  // ref back undoes the whole merge.
  await moveRef(checkoutPath, baseRef, to, from, baseBranch, reflogMessage);
  const readTree = () =>
    runGit(['read-tree', '-m', '-u', from, to], { cwd: checkoutPath, okExitCodes: [0, 128] });
  let applied = await readTree();
  if (applied.exitCode !== 0 && !/index\.lock/.test(applied.stderr)) {
    // Stale stat data makes an untouched file look modified; `git merge` refreshes first. Refreshing
    // costs a pass over every file, so it is done only when it could change the answer.
    await runGit(['update-index', '-q', '--refresh'], { cwd: checkoutPath, okExitCodes: [0, 1] });
    applied = await readTree();
  }
  if (applied.exitCode !== 0) {
    await runGit(['update-ref', '-m', 'chatml: undo merge', baseRef, from, to], { cwd: checkoutPath });
    throw refusal(checkoutPath, baseBranch, applied.stderr);
  }
}

function refusal(checkoutPath: string, baseBranch: string, stderr: string): ConflictError {
  if (/index\.lock/.test(stderr)) {
    return new ConflictError(
      `Another git command is running in ${checkoutPath} (index.lock exists) — try again when it is done. Nothing was changed.`,
    );
  }
  const paths = new Set<string>();
  for (const line of stderr.split('\n')) {
    const quoted = /'(.+)' (?:not uptodate|would be)/.exec(line)?.[1];
    if (quoted) paths.add(quoted);
    else if (line.startsWith('\t')) paths.add(line.trim());
  }
  const conflicts = [...paths];
  const which = conflicts.length > 0 ? `: ${conflicts.join(', ')}` : ` (${stderr.trim().split('\n')[0]})`;
  return new ConflictError(
    `You have uncommitted changes in ${checkoutPath}, where ${baseBranch} is checked out, to files this merge changes${which} — commit or stash them, then merge again. Nothing was changed.`,
    { conflicts },
  );
}

async function moveRef(
  cwd: string,
  ref: string,
  to: string,
  from: string,
  baseBranch: string,
  reflogMessage: string,
): Promise<void> {
  const result = await runGit(['update-ref', '-m', reflogMessage, ref, to, from], {
    cwd,
    okExitCodes: [0, 1, 128],
  });
  if (result.exitCode !== 0) {
    throw new ConflictError(`${baseBranch} moved while merging — merge again. Nothing was changed.`);
  }
}

async function resolveRefs(cwd: string, refs: readonly string[]): Promise<(string | null)[]> {
  const found = new Map<string, string>();
  const { stdout } = await runGit(['for-each-ref', '--format=%(objectname) %(refname)', ...refs], { cwd });
  for (const line of stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) found.set(line.slice(space + 1), line.slice(0, space));
  }
  return refs.map((ref) => found.get(ref) ?? null);
}

async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const { exitCode } = await runGit(['merge-base', '--is-ancestor', ancestor, descendant], {
    cwd,
    okExitCodes: [0, 1],
  });
  return exitCode === 0;
}
