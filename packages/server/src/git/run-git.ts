import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { GitError } from '../errors.js';
import { childPriority } from '../util/child-priority.js';

export interface RunGitOptions {
  cwd: string;
  /** Added to (and overriding) the inherited environment and our defaults. */
  env?: NodeJS.ProcessEnv;
  /**
   * Config for this command only (like `git -c key=value`), passed through `GIT_CONFIG_COUNT` so
   * `args[0]` stays the subcommand and errors name it.
   */
  config?: Readonly<Record<string, string>>;
  /** Written to git's stdin, which is then closed. */
  input?: string | Buffer;
  /** Aborting kills git's whole process group and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Most bytes of stdout kept before git is killed and a GitError thrown; default 256 MiB. */
  maxBuffer?: number;
  /**
   * Takes stdout chunk by chunk as git writes it, instead of collecting it: the result's stdout is
   * then empty and `maxBuffer` does not apply. A throw stops git and fails the command.
   */
  onStdout?: (chunk: Buffer) => void;
  /**
   * Runs git at this niceness (0–19): side work that must not slow a command the user waits for
   * (the untracked check beside the session diff) on a machine with few cores.
   */
  niceness?: number;
  /**
   * For commands that may run long (clone): git is stopped, with its helpers, when the backend dies
   * — even by SIGKILL, which runs no clean-up — instead of running on orphaned. A tiny `sh` leader
   * of git's process group watches the backend's end of a pipe and kills the group once it closes.
   * Takes no `input`.
   */
  diesWithBackend?: boolean;
  /**
   * Exit codes that mean an answer rather than a failure (e.g. `show-ref --verify` exits 1 when the
   * ref is missing). Default `[0]`.
   */
  okExitCodes?: readonly number[];
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface StreamGitOptions extends RunGitOptions {
  /**
   * Called for every line git writes to stderr, split on `\n` and `\r` (progress meters redraw one
   * line with `\r`). Only the last 64 KiB of stderr are kept for the result and errors.
   */
  onStderrLine(line: string): void;
}

const DEFAULT_MAX_BUFFER = 256 * 1024 * 1024;
const STDERR_TAIL = 64 * 1024;

/**
 * Variables that point git at some other repository, index or object store. Inherited from a parent
 * (say, the server started from a git hook) they would silently redirect every command.
 */
const INHERITED_REPO_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM',
];

/** The environment every git we start gets: the user's own (PATH, HOME, SSH agent) plus our rules. */
export function gitEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_REPO_VARIABLES) delete env[name];
  return {
    ...env,
    // Never wait for a password on a terminal nobody is looking at; fail and say so instead.
    GIT_TERMINAL_PROMPT: '0',
    // Skip opportunistic index refreshes, which would take index.lock in the user's checkout while
    // they work in it. Git only skips *optional* writes, so this is safe for every command.
    GIT_OPTIONAL_LOCKS: '0',
    // Parsed output (progress, "not a git repository") must not be translated.
    LC_ALL: 'C',
    ...extra,
  };
}

/**
 * Runs `git <args>` without a shell and resolves with its output; a non-zero exit (other than
 * `okExitCodes`) rejects with a GitError carrying stderr.
 *
 * @example
 * const { stdout } = await runGit(['rev-parse', 'HEAD'], { cwd: worktreePath });
 */
export async function runGit(args: readonly string[], options: RunGitOptions): Promise<GitResult> {
  const result = await spawnGit(args, options, undefined);
  return { stdout: result.stdout.toString('utf8'), stderr: result.stderr, exitCode: result.exitCode };
}

/** Like runGit, but stdout stays bytes (patches of non-UTF-8 files must survive a round trip). */
export async function runGitRaw(
  args: readonly string[],
  options: RunGitOptions,
): Promise<{ stdout: Buffer; stderr: string; exitCode: number }> {
  return spawnGit(args, options, undefined);
}

/** Like runGit, but reports stderr line by line while git runs (clone and fetch progress). */
export async function runGitStreaming(
  args: readonly string[],
  options: StreamGitOptions,
): Promise<GitResult> {
  const result = await spawnGit(args, options, options.onStderrLine);
  return { stdout: result.stdout.toString('utf8'), stderr: result.stderr, exitCode: result.exitCode };
}

function spawnGit(
  args: readonly string[],
  options: RunGitOptions,
  onStderrLine: ((line: string) => void) | undefined,
): Promise<{ stdout: Buffer; stderr: string; exitCode: number }> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  const okExitCodes = options.okExitCodes ?? [0];

  return new Promise((resolve, reject) => {
    const [command, commandArgs] = options.diesWithBackend
      ? ['sh', ['-c', WATCHDOG_SCRIPT, 'chatml-git-watchdog', 'git', ...args]]
      : ['git', args];
    const child = spawn(command, commandArgs, {
      cwd: options.cwd,
      env: gitEnv({ ...configEnv(options.config), ...options.env }),
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group, so cancelling also stops the helpers git starts (remote-https,
      // index-pack, ssh) instead of orphaning them.
      detached: true,
      windowsHide: true,
    });
    // If it cannot be lowered, it runs as is.
    if (options.niceness && child.pid !== undefined) childPriority().lower(child.pid, options.niceness);
    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let partialLine = '';
    let failure: unknown;
    let settled = false;

    const killGroup = () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // The group is already gone (git exited between the check and the kill): nothing to stop.
      }
    };
    const onAbort = () => {
      failure ??= signal?.reason;
      killGroup();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      if (options.onStdout) {
        if (failure !== undefined) return;
        try {
          options.onStdout(chunk);
        } catch (error) {
          failure = error;
          killGroup();
        }
        return;
      }
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxBuffer) {
        failure ??= new GitError(args, null, `output exceeded ${maxBuffer} bytes; git was stopped`);
        killGroup();
        return;
      }
      stdoutChunks.push(chunk);
    });
    // A throwing listener must not become an uncaught exception in a stream callback: it fails
    // (and stops) this command instead.
    const reportLine = (line: string) => {
      if (!onStderrLine || failure !== undefined) return;
      try {
        onStderrLine(line);
      } catch (error) {
        failure = error;
        killGroup();
      }
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_TAIL);
      if (!onStderrLine) return;
      const pieces = (partialLine + text).split(/\r\n|\r|\n/);
      partialLine = pieces.pop() ?? '';
      for (const line of pieces) if (line) reportLine(line);
    });

    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    child.on('error', (error) => {
      // spawn reports a missing working folder as ENOENT too, which reads as "git is not installed".
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT' && options.cwd && !existsSync(options.cwd)
          ? `the folder ${options.cwd} does not exist (moved or deleted?)`
          : `could not start git: ${error.message}`;
      finish(() => reject(new GitError(args, null, reason)));
    });
    child.on('close', (code) => {
      // The watchdog's pipe: closing it now lets its watcher (waiting on it) end too.
      if (options.diesWithBackend) child.stdin.destroy();
      finish(() => {
        if (partialLine) reportLine(partialLine);
        if (failure !== undefined) return reject(failure);
        if (code !== null && okExitCodes.includes(code)) {
          return resolve({ stdout: Buffer.concat(stdoutChunks), stderr, exitCode: code });
        }
        reject(new GitError(args, code, stderr));
      });
    });

    // git may exit without reading all of stdin (EPIPE); its exit code reports what went wrong.
    child.stdin.on('error', () => {});
    if (!options.diesWithBackend) child.stdin.end(options.input ?? '');
  });
}

/**
 * `diesWithBackend`'s group leader: runs "$@" (git and its arguments, never interpolated), and
 * beside it a watcher that reads the backend's pipe (fd 3, a copy of stdin: background jobs get
 * /dev/null) until it closes — the backend is gone — then stops the whole group. When git ends
 * first, the watcher is stopped and the exit code passed on. The watcher holds no output pipe, so
 * the backend sees git's output end when git's does.
 */
const WATCHDOG_SCRIPT = [
  'exec 3<&0',
  '{ cat <&3; kill -TERM 0; } </dev/null >/dev/null 2>&1 &',
  'watcher=$!',
  'exec 3<&-',
  '"$@" </dev/null &',
  'wait $!',
  'status=$?',
  'kill $watcher 2>/dev/null',
  'exit $status',
].join('\n');

function configEnv(config: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  if (!config) return {};
  const entries = Object.entries(config);
  const env: NodeJS.ProcessEnv = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}
