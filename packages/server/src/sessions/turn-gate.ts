import type { SessionContext } from './session-context.js';

export interface TurnGateHandlers {
  /** A slot is this session's now (possibly inside another session's turn end): start the turn. */
  onGranted(): void;
  /** The last git hold ended: queued messages may go. */
  onReleased(): void;
  /** The session's status reason now. */
  reason(): string | null;
  /** Show this as the session's status reason, keeping its status. */
  setReason(reason: string | null): void;
}

/**
 * Whether a session's next turn may start: not while a git operation changes its worktree (a
 * hold), and only with one of the TurnScheduler's agent slots, waiting in line for one if need be.
 */
export class TurnGate {
  private isWaiting = false;
  private holds = 0;
  /**
   * The status reason the "waiting for a free agent slot" note replaced (null while not waiting):
   * a session in `error` says why again when its wait is cancelled.
   */
  private reasonBeforeWait: { reason: string | null } | null = null;

  constructor(
    private readonly sessionId: string,
    private readonly context: Pick<SessionContext, 'scheduler' | 'logger'>,
    private readonly handlers: TurnGateHandlers,
  ) {}

  /** Waiting in line for an agent slot. */
  get isWaitingForSlot(): boolean {
    return this.isWaiting;
  }

  /** A turn asked for now would not start at once. */
  get wouldWait(): boolean {
    return this.isWaiting || this.holds > 0 || !this.context.scheduler.hasFreeSlot;
  }

  /** Hold turns back until the returned function is called (once; later calls do nothing). */
  hold(): () => void {
    this.holds++;
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      this.holds--;
      if (this.holds === 0) this.handlers.onReleased();
    };
  }

  /** Ask for a slot, unless held or already in line; `onGranted` runs when there is one. */
  requestSlot(): void {
    if (this.isWaiting || this.holds > 0) return;
    this.isWaiting = true;
    const granted = this.context.scheduler.request(
      this.sessionId,
      () => {
        this.isWaiting = false;
        this.reasonBeforeWait = null;
        // A failure to start must stay this session's, not break the turn end that freed the slot.
        try {
          this.handlers.onGranted();
        } catch (error) {
          this.context.logger.error(
            `session ${this.sessionId}: starting a turn failed: ${(error as Error).stack}`,
          );
        }
      },
      (position) => this.showWaiting(position),
    );
    if (!granted) this.showWaiting(this.context.scheduler.positionOf(this.sessionId));
  }

  /**
   * Leave the line (nothing to run any more, or closing). `restoreReason`: the note about waiting
   * goes, and the reason it replaced is back.
   */
  cancelWait(options: { restoreReason?: boolean } = {}): void {
    if (!this.isWaiting) return;
    this.context.scheduler.cancel(this.sessionId);
    this.isWaiting = false;
    if (options.restoreReason) this.handlers.setReason(this.reasonBeforeWait?.reason ?? null);
    this.reasonBeforeWait = null;
  }

  /** No slot free: the session waits at this 1-based place in line (again each time it moves up). */
  private showWaiting(position: number): void {
    this.reasonBeforeWait ??= { reason: this.handlers.reason() };
    this.handlers.setReason(`Queued: waiting for a free agent slot (position ${position}).`);
  }

  /** Give back the slot a turn held (or leave the line). */
  release(): void {
    this.context.scheduler.release(this.sessionId);
  }
}
