import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BadRequestError, GitError, NotAGitRepoError } from '../errors.js';
import { runGit } from './run-git.js';

export interface RepoInfo {
  /**
   * The repository's top-level folder (its git dir for a bare repository). When the inspected path
   * is a subfolder, this is the folder that contains it and `subfolder` says where it was.
   */
  root: string;
  /** The inspected path relative to `root` with `/` separators; `''` when it was the root itself. */
  subfolder: string;
  isBare: boolean;
  /** The branch checked out at `root` (HEAD's target in a bare repo); null when HEAD is detached. */
  currentBranch: string | null;
  /**
   * What new sessions branch from: the current branch of the main checkout, else `origin/HEAD`,
   * else `main` or `master`, else the most recently committed local branch. A local branch is
   * preferred to its `origin/` twin; a remote-tracking name like `origin/main` is only returned when
   * no local branch of that name exists.
   */
  defaultBranch: string;
  /** `origin`'s URL, else the first remote's, else null. */
  remoteUrl: string | null;
  /** The commit HEAD points at; null on an unborn branch (e.g. after `git checkout --orphan`). */
  headSha: string | null;
}

/**
 * Describes the git repository at `path` (a checkout, a subfolder of one, or a bare repository).
 *
 * Decisions: a subfolder resolves to its repository's top level (reported in `subfolder`, so the UI
 * can say which repository was picked); a folder inside `.git` is refused. Throws NotAGitRepoError
 * when `path` is missing, not a folder, not in a repository or inside `.git`, and BadRequestError
 * when the repository has no commits yet (a session needs a commit to branch from).
 *
 * @example
 * const info = await inspectRepo('/home/me/project/src'); // info.root === '/home/me/project'
 */
export async function inspectRepo(path: string): Promise<RepoInfo> {
  const absolutePath = resolve(path);
  const kind = await stat(absolutePath).then(
    (stats) => (stats.isDirectory() ? 'folder' : 'file'),
    () => 'missing',
  );
  if (kind === 'missing') throw new BadRequestError(`${absolutePath} does not exist.`);
  if (kind === 'file') throw new BadRequestError(`${absolutePath} is a file — pick the repository's folder.`);

  const probe = await gitIn(absolutePath, [
    'rev-parse',
    '--is-bare-repository',
    '--is-inside-git-dir',
    '--absolute-git-dir',
    '--path-format=absolute',
    '--git-common-dir',
  ]).catch((error: unknown) => {
    if (error instanceof GitError && /not a git repository/i.test(error.stderr)) {
      throw new NotAGitRepoError(absolutePath);
    }
    throw error;
  });
  const [isBareText, isInsideGitDirText, gitDir, commonDir] = probe.split('\n');
  const isBare = isBareText === 'true';
  if (!isBare && isInsideGitDirText === 'true') throw new NotAGitRepoError(absolutePath);

  let root = gitDir ?? absolutePath;
  let subfolder = '';
  if (!isBare) {
    const [toplevel, prefix] = (
      await gitIn(absolutePath, ['rev-parse', '--show-toplevel', '--show-prefix'])
    ).split('\n');
    root = toplevel || absolutePath;
    subfolder = (prefix ?? '').replace(/\/$/, '');
  }
  const isLinkedWorktree = !isBare && commonDir !== undefined && gitDir !== commonDir;

  const [currentBranch, headSha, remoteUrl, mainCheckoutBranch] = await Promise.all([
    symbolicRef(root, 'HEAD'),
    gitIn(root, ['rev-parse', '-q', '--verify', 'HEAD^{commit}'], [0, 1]).then((sha) => sha || null),
    readRemoteUrl(root),
    isLinkedWorktree ? mainWorktreeBranch(root) : Promise.resolve(undefined),
  ]);
  const defaultBranch = await chooseDefaultBranch(root, mainCheckoutBranch ?? currentBranch);
  if (defaultBranch === null) {
    throw new BadRequestError(`${root} has no commits yet — make a first commit, then add it again.`);
  }
  return { root, subfolder, isBare, currentBranch, defaultBranch, remoteUrl, headSha };
}

async function gitIn(cwd: string, args: string[], okExitCodes: number[] = [0]): Promise<string> {
  const { stdout } = await runGit(args, { cwd, okExitCodes });
  return stdout.replace(/\n$/, '');
}

/** The short branch name a symbolic ref points at, or null when it is missing or detached. */
async function symbolicRef(cwd: string, ref: string): Promise<string | null> {
  return (await gitIn(cwd, ['symbolic-ref', '-q', '--short', ref], [0, 1])) || null;
}

/** The branch of the main checkout, seen from a linked worktree (first entry of `worktree list`). */
async function mainWorktreeBranch(cwd: string): Promise<string | null> {
  const listing = await gitIn(cwd, ['worktree', 'list', '--porcelain', '-z']);
  for (const field of listing.split('\0')) {
    if (field === '') return null; // end of the first (main) record without a branch: detached
    if (field.startsWith('branch refs/heads/')) return field.slice('branch refs/heads/'.length);
  }
  return null;
}

async function readRemoteUrl(cwd: string): Promise<string | null> {
  const listing = await gitIn(cwd, ['config', '-z', '--get-regexp', '^remote\\..*\\.url$'], [0, 1]);
  const urls = new Map<string, string>();
  for (const entry of listing.split('\0')) {
    const newline = entry.indexOf('\n');
    if (newline < 0) continue;
    const remoteName = entry.slice('remote.'.length, newline - '.url'.length);
    if (!urls.has(remoteName)) urls.set(remoteName, entry.slice(newline + 1));
  }
  return urls.get('origin') ?? urls.values().next().value ?? null;
}

/** See RepoInfo.defaultBranch; null when the repository has no branch with a commit at all. */
async function chooseDefaultBranch(root: string, mainBranch: string | null): Promise<string | null> {
  const originHead = await symbolicRef(root, 'refs/remotes/origin/HEAD'); // e.g. 'origin/main'
  const originBranch = originHead?.startsWith('origin/') ? originHead.slice('origin/'.length) : null;
  const wanted = [mainBranch, originBranch, 'main', 'master'].filter((name): name is string => Boolean(name));
  const patterns = wanted.flatMap((name) => [`refs/heads/${name}`, `refs/remotes/origin/${name}`]);
  const existing = new Set(
    (await gitIn(root, ['for-each-ref', '--format=%(refname)', ...patterns])).split('\n').filter(Boolean),
  );
  for (const name of wanted) {
    if (existing.has(`refs/heads/${name}`)) return name;
    if (name !== mainBranch && existing.has(`refs/remotes/origin/${name}`)) return `origin/${name}`;
  }
  const newest = await gitIn(root, [
    'for-each-ref',
    '--count=1',
    '--sort=-committerdate',
    '--format=%(refname:short)',
    'refs/heads',
  ]);
  return newest || null;
}
