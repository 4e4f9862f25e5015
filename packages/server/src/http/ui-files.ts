import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve, sep } from 'node:path';
import { lookup } from 'mrmime';

/** Answers a GET/HEAD with a file of the UI; resolves false when there is none (the app answers). */
export type StaticFiles = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/**
 * The built UI's files: content-hashed `assets/` cached for a year, everything else revalidated
 * (weak ETag from size and mtime); never a directory listing, a dotfile, or a path outside `uiDir`.
 *
 * Why not a static-file library: sirv (used until 2026-12-03) lists the folder once at start-up and
 * reads a file with a stream that has no error listener, so an asset deleted while the backend ran
 * (the UI rebuilt by a second `npm start`) crashed the backend on the next request for it;
 * serve-static handles that but costs +10 MiB resident at import, against the idle-memory target.
 * Here the file is opened before anything is sent — on Linux an open file stays readable even if
 * it is deleted — and a read that fails later only cuts that one answer short.
 */
export function uiStaticFiles(uiDir: string | undefined): StaticFiles | undefined {
  if (!uiDir) return undefined;
  const root = resolve(uiDir);
  return async (request, response) => {
    const path = uiFilePath(root, request.url ?? '/');
    if (!path) return false;
    let handle: FileHandle;
    try {
      // O_NOFOLLOW: a symlink planted in the folder is not followed out of it.
      handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return false; // missing, a symlink, unreadable: not one of ours
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        await handle.close();
        return false;
      }
      const etag = `W/"${stats.size}-${Math.trunc(stats.mtimeMs)}"`;
      const cacheControl = path.startsWith(join(root, 'assets') + sep)
        ? 'public, max-age=31536000, immutable'
        : 'no-cache';
      const common = { ETag: etag, 'Cache-Control': cacheControl, 'X-Content-Type-Options': 'nosniff' };
      if (request.headers['if-none-match'] === etag || request.method === 'HEAD') {
        const isFresh = request.headers['if-none-match'] === etag;
        response.writeHead(isFresh ? 304 : 200, isFresh ? common : headersFor(path, stats.size, common));
        response.end();
        await handle.close();
        return true;
      }
      response.writeHead(200, headersFor(path, stats.size, common));
      const stream = handle.createReadStream(); // closes the handle when done or failed
      stream.on('error', () => response.destroy());
      stream.pipe(response);
      return true;
    } catch {
      await handle.close().catch(() => {});
      if (response.headersSent) {
        response.destroy();
        return true;
      }
      return false;
    }
  };
}

function headersFor(
  path: string,
  size: number,
  common: Record<string, string>,
): Record<string, string | number> {
  const type = lookup(path) ?? 'application/octet-stream';
  return {
    ...common,
    'Content-Type': type.startsWith('text/') ? `${type}; charset=utf-8` : type,
    'Content-Length': size,
  };
}

/**
 * The file a request path names inside `root`, or undefined: decoded first (so `%2e%2e` and `%2f`
 * are seen for what they are), then every segment checked — no `.`/`..`, no dotfiles, no NUL.
 */
export function uiFilePath(root: string, url: string): string | undefined {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url, 'http://127.0.0.1').pathname);
  } catch {
    return undefined; // malformed escapes
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return undefined;
  const segments = pathname.split('/').filter((segment) => segment !== '');
  if (segments.length === 0 || segments.some((segment) => segment.startsWith('.'))) return undefined;
  const path = join(root, ...segments);
  return path.startsWith(root + sep) ? path : undefined;
}
