import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The checks that make a local server a locked door, shared by HTTP middleware and the WS upgrade.
 * Host stops DNS rebinding (a page on evil.example resolving to 127.0.0.1); Origin stops other pages
 * in the user's browser; the per-launch token stops everything else (other local users, other apps).
 */
export class AccessPolicy {
  private readonly tokenDigest: Buffer;
  private port = 0;

  constructor(token: string) {
    this.tokenDigest = digest(token);
  }

  /** Set once the server listens (the port may have been chosen by the OS). */
  setPort(port: number): void {
    this.port = port;
  }

  get allowedHosts(): string[] {
    return [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
  }

  get allowedOrigins(): string[] {
    return this.allowedHosts.map((host) => `http://${host}`);
  }

  isHostAllowed(host: string | undefined | null): boolean {
    return host !== undefined && host !== null && this.allowedHosts.includes(host.toLowerCase());
  }

  /** A missing Origin is fine (non-browser clients); they still need the token. */
  isOriginAllowed(origin: string | undefined | null): boolean {
    return origin === undefined || origin === null || this.allowedOrigins.includes(origin.toLowerCase());
  }

  /** Constant-time comparison of digests, so neither content nor length leaks through timing. */
  isTokenValid(candidate: string | undefined | null): boolean {
    if (!candidate) return false;
    return timingSafeEqual(digest(candidate), this.tokenDigest);
  }

  static bearer(header: string | undefined | null): string | undefined {
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    return match?.[1];
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
