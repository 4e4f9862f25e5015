import { tmpdir } from 'node:os';
import { SessionName } from '@chatml/protocol';
import { InvalidNameError } from '../errors.js';
import { runGit } from './run-git.js';

/** Every session branch lives under this prefix, so ChatML's branches are easy to find and list. */
export const SESSION_BRANCH_PREFIX = 'chatml/';

const MAX_BRANCH_LENGTH = 200;
/**
 * Stricter than git: letters and digits of any script (with combining marks), `.`, `_`, `-`, `+`
 * and `/`. Git would also accept `;`, `$`, `` ` ``, `'`, `"`, `|`, `&`, `#`, `!`, `@`, ... which are
 * harmless in our argument arrays but dangerous the moment a name reaches a script, a URL or a log
 * a person pastes into a shell.
 */
const ALLOWED_CHARACTERS = /^[\p{L}\p{M}\p{N}._+/-]+$/u;
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/**
 * Checks a branch name (a session branch or a base branch such as `main` or `origin/main`) and
 * returns it. Our own rules run first and without starting any process, so a hostile name like
 * `-rf`, `x;touch pwn` or `../x` is refused before anything sees it; then `git check-ref-format
 * --branch` applies git's rules. Throws InvalidNameError with the reason.
 *
 * @example
 * await validateBranchName('chatml/brave-otter'); // 'chatml/brave-otter'
 * await validateBranchName('-rf'); // throws InvalidNameError
 */
export async function validateBranchName(name: string): Promise<string> {
  const problem = branchNameProblem(name);
  if (problem) throw new InvalidNameError(`${JSON.stringify(name)} is not a usable branch name: ${problem}.`);
  const known = validBranchNames.get(name);
  if (known !== undefined) return known;
  // cwd: any directory will do for plain names; the temp dir avoids depending on where we run.
  const result = await runGit(['check-ref-format', '--branch', name], {
    cwd: tmpdir(),
    okExitCodes: [0, 128],
  });
  if (result.exitCode !== 0) {
    throw new InvalidNameError(`${JSON.stringify(name)} is not a valid git branch name.`);
  }
  const checked = result.stdout.trim();
  if (validBranchNames.size >= MAX_REMEMBERED_NAMES) validBranchNames.clear();
  validBranchNames.set(name, checked);
  return checked;
}

/**
 * Names git already accepted. Git's rules do not change while we run, and the same few names (each
 * session's base branch) are checked on every diff and commit list — a git process each time
 * otherwise, on the critical path of every diff the UI asks for.
 */
const validBranchNames = new Map<string, string>();
const MAX_REMEMBERED_NAMES = 1000;

/** The reason `name` breaks our branch rules, or null. Pure: runs nothing. */
export function branchNameProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.length > MAX_BRANCH_LENGTH) return `it is longer than ${MAX_BRANCH_LENGTH} characters`;
  if (/[\s\p{C}]/u.test(name)) return 'it contains spaces or control characters';
  if (name.startsWith('-')) return 'it starts with "-"';
  if (!ALLOWED_CHARACTERS.test(name)) {
    const offending = [...name].find((character) => !ALLOWED_CHARACTERS.test(character));
    return `it contains ${JSON.stringify(offending)}; use letters, digits, ".", "_", "-", "+" and "/"`;
  }
  if (name.includes('..')) return 'it contains ".."';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) {
    return 'it starts or ends with "/" or contains "//"';
  }
  if (name.endsWith('.')) return 'it ends with "."';
  if (name === 'HEAD') return '"HEAD" is reserved';
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return 'a part of it starts with "."';
    if (component.endsWith('.lock')) return 'a part of it ends with ".lock"';
  }
  return null;
}

/**
 * The branch of the session named `name`: `chatml/<name>`. Throws InvalidNameError when `name` is
 * not a valid SessionName.
 *
 * @example
 * sessionBranch('brave-otter'); // 'chatml/brave-otter'
 */
export function sessionBranch(name: string): string {
  const parsed = SessionName.safeParse(name);
  if (!parsed.success) {
    const reason = parsed.error.issues[0]?.message ?? 'invalid';
    throw new InvalidNameError(`${JSON.stringify(name)} is not a usable session name: ${reason}.`);
  }
  if (branchNameProblem(name)) {
    throw new InvalidNameError(
      `${JSON.stringify(name)} is not a usable session name: not a valid branch name.`,
    );
  }
  return `${SESSION_BRANCH_PREFIX}${name}`;
}

/**
 * The ref holding a removed session's uncommitted work: `refs/chatml/archive/<sessionId>`. Outside
 * `refs/heads` so it never shows up as a branch, yet keeps the commit safe from `git gc`.
 */
export function archiveRef(sessionId: string): string {
  return `refs/chatml/archive/${checkSessionId(sessionId)}`;
}

/**
 * Where merge-back keeps the session branch's last tip when it deletes the branch, so restore can
 * re-create it: the work stays reachable (and safe from `git gc`) without a branch in anyone's list.
 */
export function mergedRef(sessionId: string): string {
  return `refs/chatml/merged/${checkSessionId(sessionId)}`;
}

/** Where an archive moves once restore has brought it back, so it is kept but never re-applied. */
export function restoredRef(sessionId: string): string {
  return `refs/chatml/restored/${checkSessionId(sessionId)}`;
}

function checkSessionId(sessionId: string): string {
  if (!SESSION_ID.test(sessionId)) {
    throw new InvalidNameError(`${JSON.stringify(sessionId)} is not a valid session id.`);
  }
  return sessionId;
}
