import type { StoredEvent } from '@chatml/protocol';
import type { SessionWatcher } from '../api/ws-client';
import { animationFrameScheduler, type FrameScheduler } from './frame-scheduler';
import { applyEvents } from './transcript';
import { emptyTranscript, type Transcript } from './transcript-types';

export interface TranscriptSnapshot {
  transcript: Transcript;
  /** Replay has reached the live edge at least once: the transcript is complete, not loading. */
  isCaughtUp: boolean;
  /** Set when the backend refused the subscription (e.g. the session does not exist). */
  error: string | undefined;
}

/**
 * One session's transcript, fed by the WebSocket. Events are buffered and applied once per animation
 * frame, so a burst of deltas costs one reducer pass and one React render, not one per delta.
 * Implements `SessionWatcher` so it can be handed to `WsClient.watch` directly.
 */
export class TranscriptStore implements SessionWatcher {
  private snapshot: TranscriptSnapshot = { transcript: emptyTranscript, isCaughtUp: false, error: undefined };
  private pending: StoredEvent[] = [];
  private cancelFlush: (() => void) | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly schedule: FrameScheduler = animationFrameScheduler) {}

  /** The seq to resume from: everything received, including events not yet rendered. */
  get receivedSeq(): number {
    return this.pending.at(-1)?.seq ?? this.snapshot.transcript.lastSeq;
  }

  getSnapshot = (): TranscriptSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  onEvent(event: StoredEvent): void {
    this.pending.push(event);
    this.cancelFlush ??= this.schedule(() => this.flush());
  }

  onCaughtUp(): void {
    // Apply what replay delivered first, so "loaded" never shows a half-applied transcript.
    this.flush();
    if (!this.snapshot.isCaughtUp) this.update({ ...this.snapshot, isCaughtUp: true });
  }

  onError(_code: string, message: string): void {
    this.update({ ...this.snapshot, error: message });
  }

  /** Apply everything buffered now (also called by the scheduler). */
  flush(): void {
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    const transcript = applyEvents(this.snapshot.transcript, events);
    if (transcript !== this.snapshot.transcript) this.update({ ...this.snapshot, transcript });
  }

  dispose(): void {
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    this.listeners.clear();
  }

  private update(snapshot: TranscriptSnapshot): void {
    this.snapshot = snapshot;
    for (const listener of this.listeners) listener();
  }
}
