import type { SessionEventPayload } from '@chatml/protocol';

export type Delta = SessionEventPayload<'stream_delta'>;

/** Deltas of one block received in the batch in progress, not yet stored: they become one event. */
interface PendingDelta {
  readonly first: Delta;
  readonly texts: string[];
  chars: number;
}

/** A coalesced delta is cut here, so one event (and one frame) never grows without bound. */
const MAX_COALESCED_DELTA_CHARS = 64 * 1024;

/**
 * Per session, the stream deltas of one batch that continue the same block (same turn, message,
 * block index and kind), joined in order into one delta. `Hub.publishDelta` says why.
 */
export class DeltaCoalescer {
  private readonly pending = new Map<string, PendingDelta>();

  get size(): number {
    return this.pending.size;
  }

  /** Join `delta` to the session's pending delta if it continues it; false when it does not. */
  tryJoin(sessionId: string, delta: Delta): boolean {
    const pending = this.pending.get(sessionId);
    if (
      !pending ||
      !continuesBlock(pending.first, delta) ||
      pending.chars + delta.text.length > MAX_COALESCED_DELTA_CHARS
    )
      return false;
    pending.texts.push(delta.text);
    pending.chars += delta.text.length;
    return true;
  }

  /** Make `delta` the session's pending delta (after the previous one was taken). */
  start(sessionId: string, delta: Delta): void {
    this.pending.set(sessionId, { first: delta, texts: [delta.text], chars: delta.text.length });
  }

  /** The session's pending delta, joined, and no longer pending. */
  take(sessionId: string): Delta | undefined {
    const pending = this.pending.get(sessionId);
    if (!pending) return undefined;
    this.pending.delete(sessionId);
    const text = pending.texts.length === 1 ? pending.first.text : pending.texts.join('');
    return { ...pending.first, text };
  }

  /** The sessions with a pending delta. */
  sessions(): string[] {
    return [...this.pending.keys()];
  }

  clear(): void {
    this.pending.clear();
  }
}

function continuesBlock(first: Delta, delta: Delta): boolean {
  return (
    first.turnId === delta.turnId &&
    first.messageId === delta.messageId &&
    first.blockIndex === delta.blockIndex &&
    first.kind === delta.kind
  );
}
