import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A directory under `os.tmpdir()` that the test owns; `cleanup()` removes it and everything in it. */
export interface TempDir {
  /** Absolute and symlink-free (git prints real paths, so tests can compare them directly). */
  readonly path: string;
  cleanup(): Promise<void>;
}

/**
 * Creates a fresh empty directory named `chatml-<prefix>-XXXXXX` under the OS temp dir.
 *
 * @example
 * const dir = await makeTempDir('clone');
 * try { ... } finally { await dir.cleanup(); }
 */
export async function makeTempDir(prefix: string): Promise<TempDir> {
  const safePrefix = prefix.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40) || 'tmp';
  // realpath: on macOS os.tmpdir() is a symlink (/var -> /private/var) and git reports the real one.
  const path = await realpath(await mkdtemp(join(tmpdir(), `chatml-${safePrefix}-`)));
  return { path, cleanup: () => rm(path, { recursive: true, force: true, maxRetries: 3 }) };
}
