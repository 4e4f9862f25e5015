import { freemem } from 'node:os';

/** Each live `claude` CLI costs ~170–200 MB; leave headroom for the rest of the machine. */
const BYTES_PER_TURN = 400 * 1024 * 1024;

export function defaultMaxConcurrentTurns(freeBytes = freemem()): number {
  return Math.max(2, Math.min(16, Math.floor(freeBytes / BYTES_PER_TURN)));
}

/**
 * Bounds how many agent turns run at once. Sessions past the limit wait in FIFO order and are told
 * their place, so the user sees a queue instead of a machine swapping itself to death.
 */
export class TurnScheduler {
  private readonly running = new Set<string>();
  private readonly waiting: { sessionId: string; grant: () => void; onMoved?: (position: number) => void }[] =
    [];

  constructor(readonly limit: number) {}

  /**
   * Calls `grant` now if a slot is free (returns true), or later when one frees up. While waiting,
   * `onMoved` hears the session's new place each time someone ahead of it leaves the line.
   */
  request(sessionId: string, grant: () => void, onMoved?: (position: number) => void): boolean {
    if (this.running.has(sessionId)) throw new Error(`session ${sessionId} already holds a turn slot`);
    if (this.running.size < this.limit) {
      this.running.add(sessionId);
      grant();
      return true;
    }
    this.waiting.push({ sessionId, grant, onMoved });
    return false;
  }

  release(sessionId: string): void {
    if (!this.running.delete(sessionId)) {
      this.cancel(sessionId);
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      this.running.add(next.sessionId);
      next.grant();
      this.announcePlaces(0);
    }
  }

  cancel(sessionId: string): void {
    const index = this.waiting.findIndex((entry) => entry.sessionId === sessionId);
    if (index === -1) return;
    this.waiting.splice(index, 1);
    this.announcePlaces(index);
  }

  /** Everyone from `from` on moved up one place. */
  private announcePlaces(from: number): void {
    for (const [index, entry] of [...this.waiting.entries()].slice(from)) entry.onMoved?.(index + 1);
  }

  /** 1-based place in the queue, or 0 when not waiting. */
  positionOf(sessionId: string): number {
    return this.waiting.findIndex((entry) => entry.sessionId === sessionId) + 1;
  }

  /** A request made now would be granted at once. */
  get hasFreeSlot(): boolean {
    return this.running.size < this.limit;
  }

  get runningCount(): number {
    return this.running.size;
  }
}
