import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/**
 * Reads at most `maxBytes` of the regular file at `path` inside `root` (a worktree), or null when
 * there is none to read: missing, not a regular file, or not inside `root`. Whatever the agent or
 * a checked-out branch put there, the backend must not block on it or leave the folder through it:
 * a FIFO would hang a plain read forever (opened non-blocking, then refused by its type), a symlink
 * to /dev/zero would never end (not followed), and a symlinked folder could lead anywhere on the
 * disk (its real location must be inside `root`).
 */
export async function readRegularFile(root: string, path: string, maxBytes: number): Promise<Buffer | null> {
  const full = resolve(root, path);
  try {
    const [realRoot, realFolder] = await Promise.all([realpath(root), realpath(dirname(full))]);
    const inside = relative(realRoot, realFolder);
    if (inside.startsWith('..') || isAbsolute(inside)) return null;
    const handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) return null;
      const buffer = Buffer.alloc(Math.min(stats.size, maxBytes));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    // Missing, a symlink (ELOOP under O_NOFOLLOW), unreadable: nothing to read.
    return null;
  }
}
