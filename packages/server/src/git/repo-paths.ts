import { BadRequestError } from '../errors.js';
import { branchNameProblem } from './ref-names.js';

/**
 * Checks a path that names a file inside a session's repository (from a URL or a request body) and
 * returns it normalised (`/`-separated, no trailing `/`). Pure: runs nothing. Refused: absolute
 * paths, `.` and `..` parts, empty parts, backslashes, control characters, and anything inside
 * `.git`. Git adds its own fence (it will not follow a path through a symbolic link), but a path
 * that could leave the repository never reaches it.
 *
 * @example
 * validateRepoPath('src/app.ts'); // 'src/app.ts'
 * validateRepoPath('../etc/passwd'); // throws BadRequestError
 */
export function validateRepoPath(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const problem = repoPathProblem(trimmed);
  if (problem) throw new BadRequestError(`${JSON.stringify(path)} is not a usable file path: ${problem}.`);
  return trimmed;
}

function repoPathProblem(path: string): string | null {
  if (path.length === 0) return 'it is empty';
  if (/\p{Cc}/u.test(path)) return 'it contains control characters';
  if (path.includes('\\')) return 'it contains "\\" (use "/")';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path))
    return 'it is absolute; give it relative to the repository';
  for (const part of path.split('/')) {
    if (part === '') return 'it contains "//"';
    if (part === '.' || part === '..') return `it contains "${part}"`;
    if (part.toLowerCase() === '.git') return 'it points into .git';
  }
  return null;
}

const COMMIT_SHA = /^[0-9a-f]{4,64}$/i;
const ANCESTRY_SUFFIX = /(~\d{1,4}|\^[12]?)$/;

/**
 * Checks a revision from a request: `HEAD`, a (short) commit sha, or a branch name, optionally with
 * one `~N` or `^`/`^N` suffix. Pure: runs nothing. Everything else — ranges, `@{…}`, `:path`,
 * options — is refused before git sees it.
 *
 * @example
 * validateRevision('main~2'); // 'main~2'
 * validateRevision('--output=/tmp/x'); // throws BadRequestError
 */
export function validateRevision(revision: string): string {
  const base = revision.replace(ANCESTRY_SUFFIX, '');
  const isValid =
    base === 'HEAD' || COMMIT_SHA.test(base) || (base.length > 0 && branchNameProblem(base) === null);
  if (!isValid) {
    throw new BadRequestError(
      `${JSON.stringify(revision)} is not a usable revision: give a commit sha, HEAD or a branch name.`,
    );
  }
  return revision;
}

/** `:(literal)<path>`: a pathspec that matches exactly this path, with no glob or magic meaning. */
export function literalPathspec(path: string): string {
  return `:(literal)${path}`;
}
