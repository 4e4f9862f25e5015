import { spawn } from 'node:child_process';
import { type OneShotRequest, OneShotResult } from '@chatml/protocol';
import { AppError } from '../errors.js';

/** A draft could not be written (model error, timeout, a broken one-shot process). */
export class DraftFailedError extends AppError {
  constructor(message: string) {
    super('draft_failed', message, 502);
  }
}

export interface OneShotProcessOptions {
  /** `ONESHOT_MAIN_PATH` from `@chatml/runner`. */
  mainPath: string;
  /** The environment of the one-shot process (the same rules as a runner's). */
  env: NodeJS.ProcessEnv;
  request: OneShotRequest;
  /** The process group is killed after this long; default 120 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Told the process id once it runs (tests check its process group afterwards). */
  onSpawn?: (pid: number) => void;
}

const MAX_STDOUT_BYTES = 1024 * 1024;

/**
 * Runs the runner's one-shot entry for one model call and returns its text. The process (and the
 * `claude` CLI it starts) runs in its own process group; on timeout or abort the whole group gets
 * SIGKILL, and once the process is gone the group is swept again, so nothing outlives the call.
 * The backend never loads the Agent SDK itself.
 */
export function runOneShotProcess(options: OneShotProcessOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new DraftFailedError('The draft was cancelled.'));
    const child = spawn(process.execPath, [options.mainPath], {
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      windowsHide: true,
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let stdout = '';
    let stderrTail = '';
    let failure: string | undefined;
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already empty.
      }
    };
    const stop = (reason: string) => {
      failure ??= reason;
      killGroup();
    };
    const timeoutMs = options.timeoutMs ?? 120_000;
    const timer = setTimeout(
      () => stop(`The model did not answer within ${Math.round(timeoutMs / 1000)} s.`),
      timeoutMs,
    );
    const onAbort = () => stop('The draft was cancelled.');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      stdout += text;
      if (stdout.length > MAX_STDOUT_BYTES) stop('The one-shot process wrote too much output.');
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderrTail = (stderrTail + text).slice(-4000);
    });
    child.on('error', (error) => stop(`Could not start the one-shot process: ${error.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // Whatever the one-shot left behind in its group (a `claude` it could not stop) goes too.
      killGroup();
      if (failure) return reject(new DraftFailedError(failure));
      const line = stdout.trim().split('\n').pop() ?? '';
      let result: OneShotResult;
      try {
        result = OneShotResult.parse(JSON.parse(line));
      } catch {
        const detail = stderrTail.trim().split('\n').slice(-2).join(' ');
        return reject(
          new DraftFailedError(
            `The one-shot process ended (${signal ?? code}) without a result${detail ? `: ${detail}` : ''}.`,
          ),
        );
      }
      if (!result.ok) return reject(new DraftFailedError(`The model call failed: ${result.error}`));
      resolve(result.text);
    });
    child.stdin.on('error', () => {
      // EPIPE when the process died before reading its request; 'close' reports what happened.
    });
    child.stdin.end(JSON.stringify(options.request));
  });
}
