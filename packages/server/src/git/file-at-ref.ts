import type { FileAtRef } from '@chatml/protocol';
import { BadRequestError, NotFoundError } from '../errors.js';
import { validateRepoPath, validateRevision } from './repo-paths.js';
import { runGit, runGitRaw } from './run-git.js';

/** Larger files are described but not sent (`tooLarge`); a diff viewer has no use for them. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Git's own binary test looks at the first 8000 bytes for a NUL. */
const BINARY_PROBE_BYTES = 8000;

const KIND_BY_MODE: Record<string, FileAtRef['kind']> = {
  '100644': 'file',
  '100755': 'executable',
  '120000': 'symlink',
};

/**
 * A file as it is in commit `ref` of the repository at `cwd` (any worktree of it). Ref and path are
 * checked before git runs (see validateRevision, validateRepoPath); the file is looked up in the
 * commit's tree, so nothing outside the repository can be read, and symbolic links are reported
 * with their target as content, never followed.
 *
 * @example
 * const file = await fileAtRef({ cwd: worktreePath, ref: 'HEAD~1', path: 'src/app.ts' });
 */
export async function fileAtRef(options: { cwd: string; ref: string; path: string }): Promise<FileAtRef> {
  const { cwd } = options;
  const ref = validateRevision(options.ref);
  const path = validateRepoPath(options.path);
  const resolved = await runGit(['rev-parse', '-q', '--verify', '--end-of-options', `${ref}^{commit}`], {
    cwd,
    okExitCodes: [0, 1],
  });
  if (resolved.exitCode !== 0) throw new NotFoundError('Revision', ref);
  const commit = resolved.stdout.trim();

  // List the parent folder's tree (no pathspec matching involved) and pick the entry by exact name.
  const slash = path.lastIndexOf('/');
  const folder = slash < 0 ? '' : path.slice(0, slash);
  const name = path.slice(slash + 1);
  const listing = await runGit(['ls-tree', '-z', '--long', '--end-of-options', `${commit}:${folder}`], {
    cwd,
    okExitCodes: [0, 128],
  });
  const entry = listing.exitCode === 0 ? findEntry(listing.stdout, name) : undefined;
  if (!entry) throw new NotFoundError('File', `${path} at ${ref}`);
  if (entry.type !== 'blob') {
    throw new BadRequestError(
      `${path} is a ${entry.type === 'tree' ? 'folder' : entry.type} at ${ref}, not a file.`,
    );
  }
  const kind = KIND_BY_MODE[entry.mode] ?? 'file';
  const base = { ref, commit, path, kind, size: entry.size };
  if (entry.size > MAX_FILE_BYTES) {
    return { ...base, binary: false, encoding: 'utf8', content: null, tooLarge: true };
  }
  const { stdout: bytes } = await runGitRaw(['cat-file', 'blob', entry.sha], { cwd });
  const binary = bytes.subarray(0, BINARY_PROBE_BYTES).includes(0);
  return {
    ...base,
    binary,
    encoding: binary ? 'base64' : 'utf8',
    content: bytes.toString(binary ? 'base64' : 'utf8'),
    tooLarge: false,
  };
}

interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  size: number;
}

/** Finds `name` in `git ls-tree -z --long` output: `<mode> <type> <sha> <size>\t<name>\0`. */
function findEntry(listing: string, name: string): TreeEntry | undefined {
  for (const record of listing.split('\0')) {
    const tab = record.indexOf('\t');
    if (tab < 0 || record.slice(tab + 1) !== name) continue;
    const [mode, type, sha, size] = record.slice(0, tab).trim().split(/\s+/);
    if (!mode || !type || !sha) return undefined;
    return { mode, type, sha, size: Number(size) || 0 };
  }
  return undefined;
}
