import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execGit } from './git-exec.js';
import { makeTempDir } from './temp-dir.js';

/** File contents by path relative to the repo root; `null` deletes the file. */
export type FileTree = Record<string, string | Uint8Array | null>;

/** A commit to make after the initial one: write `files`, then `git add -A && git commit`. */
export interface CommitSpec {
  message: string;
  files: FileTree;
}

export interface TempRepoOptions {
  /**
   * Files of the first commit. Defaults to a README. Pass `{}` (and no `commits`) for a repository
   * with no commits at all.
   */
  files?: Record<string, string | Uint8Array>;
  /** Name of the initial branch; default `main`. */
  branch?: string;
  /** Further commits, made in order on `branch`. */
  commits?: CommitSpec[];
}

/** A real git repository in a temp dir whose git commands ignore the machine's git config. */
export interface TempRepo {
  readonly path: string;
  /** Runs `git <args>` in the repo (no shell) and returns stdout. */
  git(args: string[]): Promise<string>;
  /** Writes (or with `null`, deletes) files relative to the repo root, creating folders. */
  writeFiles(files: FileTree): Promise<void>;
  /** `git add -A` + `git commit -m message`; returns the new commit's sha. Fails if nothing changed. */
  commitAll(message: string): Promise<string>;
  cleanup(): Promise<void>;
}

/**
 * Creates a git repository (real `git init -b <branch>`) under the OS temp dir.
 *
 * @example
 * const repo = await createTempRepo({ files: { 'src/a.ts': 'export {};\n' } });
 * await repo.writeFiles({ 'src/a.ts': 'changed\n' });
 * const sha = await repo.commitAll('change a');
 * await repo.cleanup();
 */
export async function createTempRepo(options: TempRepoOptions = {}): Promise<TempRepo> {
  const dir = await makeTempDir('repo');
  try {
    const repo = await initRepo(dir.path, options.branch ?? 'main', dir.cleanup);
    const files = options.files ?? { 'README.md': '# temp repo\n' };
    if (Object.keys(files).length > 0) {
      await repo.writeFiles(files);
      await repo.commitAll('initial commit');
    }
    for (const commit of options.commits ?? []) {
      await repo.writeFiles(commit.files);
      await repo.commitAll(commit.message);
    }
    return repo;
  } catch (error) {
    await dir.cleanup();
    throw error;
  }
}

/** `git init -b <branch>` in an existing (empty) directory and wraps it as a TempRepo. */
export async function initRepo(
  path: string,
  branch: string,
  cleanup: () => Promise<void>,
): Promise<TempRepo> {
  await execGit(path, ['init', '--quiet', '-b', branch]);
  const git = (args: string[]) => execGit(path, args);
  return {
    path,
    git,
    writeFiles: (files) => writeFiles(path, files),
    async commitAll(message) {
      await git(['add', '-A']);
      await git(['commit', '--quiet', '-m', message]);
      return (await git(['rev-parse', 'HEAD'])).trim();
    },
    cleanup,
  };
}

async function writeFiles(root: string, files: FileTree): Promise<void> {
  for (const [relativePath, content] of Object.entries(files)) {
    const target = resolve(root, relativePath);
    // A typo like '../x' would write outside the temp repo; refuse instead of touching the machine.
    if (!target.startsWith(root + sep)) throw new Error(`writeFiles: ${relativePath} is outside ${root}`);
    if (content === null) {
      await rm(target, { force: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

/** A bare repository to clone from or push to; `url` is its `file://` URL. */
export interface BareRemote {
  readonly path: string;
  readonly url: string;
  git(args: string[]): Promise<string>;
  cleanup(): Promise<void>;
}

/**
 * Makes a bare clone of `from` (all its branches) in a new temp dir, for clone and push tests.
 * `from` is not changed (no remote is added to it).
 */
export async function createBareRemote(from: TempRepo): Promise<BareRemote> {
  const dir = await makeTempDir('remote');
  const path = join(dir.path, 'remote.git');
  try {
    await execGit(dir.path, ['clone', '--quiet', '--bare', '--no-local', from.path, path]);
  } catch (error) {
    await dir.cleanup();
    throw error;
  }
  return {
    path,
    url: pathToFileURL(path).href,
    git: (args) => execGit(path, args),
    cleanup: dir.cleanup,
  };
}
