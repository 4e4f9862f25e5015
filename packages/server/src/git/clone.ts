import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadRequestError, ConflictError } from '../errors.js';
import { runGitStreaming } from './run-git.js';

export interface CloneOptions {
  /** https://, ssh://, `user@host:path`, file:// or an absolute local path (see validateCloneUrl). */
  url: string;
  /** Absolute path to clone into; must not exist or be an empty folder. */
  dest: string;
  /** Called as git reports progress, e.g. `('Receiving objects', 45)`; percent is null for counters. */
  onProgress?: (phase: string, percent: number | null) => void;
  /** Aborting stops git (and its helpers) and removes what was cloned so far. */
  signal?: AbortSignal;
}

/**
 * The transports a clone may use, enforced by git itself for every URL it touches (including
 * redirects and anything a remote's config could suggest). `ext::` runs arbitrary commands and is
 * never allowed.
 */
const ALLOWED_PROTOCOLS = 'https:ssh:file';

const SCP_LIKE = /^[A-Za-z0-9_][A-Za-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9.-]*:[^:]/;
const PROGRESS_LINE = /^(?:remote: )?([A-Z][A-Za-z ]*?):\s+(?:(\d{1,3})%|\d)/;

/**
 * Returns `url` if it is something we agree to clone: `https://…`, `ssh://…`, scp-like
 * `user@host:path`, `file://…` or an absolute local path. Refuses (BadRequestError) anything
 * starting with `-` (it would be read as an option), `<transport>::` helpers such as `ext::`, other
 * schemes (`git://`, `http://`), whitespace and control characters, and hosts or users starting
 * with `-` (ssh option injection).
 */
export function validateCloneUrl(url: string): string {
  const refuse = (why: string): never => {
    throw new BadRequestError(`Cannot clone ${JSON.stringify(url)}: ${why}.`);
  };
  if (url.length === 0) refuse('the URL is empty');
  if (url.startsWith('-')) refuse('it starts with "-"');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\s\u0000-\u001f\u007f]/.test(url)) refuse('it contains whitespace or control characters');
  if (url.includes('::')) refuse('transport helpers ("ext::", "fd::", …) are not allowed');

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (scheme !== 'https' && scheme !== 'ssh' && scheme !== 'file') {
      refuse(`only https://, ssh:// and file:// URLs are allowed, not ${scheme}://`);
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      refuse('it is not a valid URL');
    }
    if (parsed && scheme !== 'file' && (parsed.hostname === '' || parsed.hostname.startsWith('-'))) {
      refuse('the host name is missing or starts with "-"');
    }
    if (parsed?.username.startsWith('-')) refuse('the user name starts with "-"');
    return url;
  }
  if (SCP_LIKE.test(url)) return url;
  if (isAbsolute(url)) return url;
  return refuse('use an https://, ssh://, git@host:path or file:// URL, or an absolute path');
}

/**
 * For a local source (absolute path or file:// URL), say plainly what is wrong before cloning:
 * git's own words for a folder that is not a repository are "repository does not exist" or advice
 * about access rights. A folder is taken as a repository when it has `.git` (a checkout) or `HEAD`
 * and `objects` (a bare repository); a file only when it is a git bundle.
 */
export async function checkLocalCloneSource(url: string): Promise<void> {
  let path: string;
  if (isAbsolute(url)) path = url;
  else if (/^file:\/\//i.test(url)) {
    try {
      path = fileURLToPath(url);
    } catch {
      throw new BadRequestError(`Cannot clone ${url}: it is not a valid file:// URL.`);
    }
  } else return;
  const info = await stat(path).catch(() => null);
  if (!info) throw new BadRequestError(`Cannot clone ${path}: there is no such folder.`);
  if (!info.isDirectory()) {
    if (await isGitBundle(path)) return;
    throw new BadRequestError(`Cannot clone ${path}: it is a file, not a git repository (nor a git bundle).`);
  }
  const has = async (name: string) => (await stat(join(path, name)).catch(() => null)) !== null;
  if ((await has('.git')) || ((await has('HEAD')) && (await has('objects')))) return;
  throw new BadRequestError(
    `Cannot clone ${path}: it is a folder but not a git repository (no .git in it). To work on it, run \`git init\` there, commit, and add it by path.`,
  );
}

/** A bundle file (`git bundle create`) starts with its signature line; git clones those too. */
async function isGitBundle(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(16), 0, 16, 0);
      return /^# v[23] git bundle\n/.test(buffer.subarray(0, bytesRead).toString('latin1'));
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

/**
 * `git clone --progress <url> <dest>`, reporting progress parsed from git's stderr. On failure or
 * abort the destination is removed again (or emptied, if it was an empty folder before).
 *
 * @example
 * await cloneRepo({ url: 'https://github.com/o/r.git', dest, onProgress: (phase, pct) => log(phase, pct) });
 */
export async function cloneRepo(options: CloneOptions): Promise<{ path: string }> {
  const url = validateCloneUrl(options.url);
  if (!isAbsolute(options.dest)) throw new BadRequestError(`The clone destination must be an absolute path.`);
  const dest = resolve(options.dest);
  const existing = await readdir(dest).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    if (error.code === 'ENOTDIR') throw new ConflictError(`${dest} already exists and is not a folder.`);
    throw error;
  });
  if (existing !== null && existing.length > 0) {
    throw new ConflictError(`${dest} already exists and is not empty — pick another folder.`);
  }
  await mkdir(dirname(dest), { recursive: true });

  const report = progressReporter(options.onProgress);
  report('Cloning');
  try {
    await runGitStreaming(['clone', '--progress', '--', url, dest], {
      cwd: dirname(dest),
      env: { GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS },
      signal: options.signal,
      diesWithBackend: true,
      onStderrLine: (line) => {
        const match = PROGRESS_LINE.exec(line);
        if (match?.[1]) report(match[1], match[2] === undefined ? null : Number(match[2]));
      },
    });
  } catch (error) {
    // Git removes its own partial clone when it fails, but not when it is killed.
    if (existing === null) await rm(dest, { recursive: true, force: true });
    else await emptyFolder(dest);
    throw error;
  }
  return { path: dest };
}

/** Forwards progress, dropping repeats (git redraws the same percentage many times). */
function progressReporter(onProgress: CloneOptions['onProgress']) {
  let last = '';
  return (phase: string, percent: number | null = null) => {
    const key = `${phase}\0${percent}`;
    if (!onProgress || key === last) return;
    last = key;
    onProgress(phase, percent);
  };
}

async function emptyFolder(path: string): Promise<void> {
  const entries = await readdir(path).catch(() => []);
  await Promise.all(entries.map((entry) => rm(resolve(path, entry), { recursive: true, force: true })));
}
