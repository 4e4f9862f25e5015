import type { NewSessionEvent, PermissionDecisionBody, RunnerEvent, SessionStatus } from '@chatml/protocol';
import { ConflictError, SessionArchivedError } from '../errors.js';
import { worktreeProblem } from '../git/worktree-presence.js';
import type { RunnerExit } from '../runners/runner-process.js';
import type { SessionRecord } from '../store/session-store.js';
import { runEvery } from '../util/run-every.js';
import { newId } from './ids.js';
import { MessageQueue } from './message-queue.js';
import { PermissionRequests } from './permission-requests.js';
import { toDeltaPayload, toLogEvent } from './runner-event-log.js';
import { RunnerSlot } from './runner-slot.js';
import type { QueuedMessage, SessionContext, Turn } from './session-context.js';
import { TurnGate } from './turn-gate.js';
import { describeExit, exitToTurnEnd, resultToTurnEnd, type TurnEnd } from './turn-outcome.js';

/**
 * Owns one session's live state: its runner process, its message queue and the turn in progress.
 * Every state change is first published to the event log (durable, replayable), then reflected in
 * the session row. A turn always ends with exactly one `turn_ended`, whatever goes wrong.
 */
export class SessionController {
  private readonly runner: RunnerSlot;
  private readonly queue = new MessageQueue((event) => this.publish(event));
  private turn: Turn | null = null;
  private readonly gate: TurnGate;
  private readonly permissions: PermissionRequests;
  private interruptTimer: NodeJS.Timeout | null = null;
  /** Set while the session is being archived or the backend shuts down: nothing new may start. */
  private closingReason: string | null = null;

  constructor(
    private record: SessionRecord,
    private readonly context: SessionContext,
  ) {
    this.permissions = new PermissionRequests({
      sessionId: record.id,
      publish: (event) => this.publish(event),
      setStatus: (status, reason) => this.setStatus(status, reason),
    });
    this.gate = new TurnGate(record.id, context, {
      onGranted: () => this.startTurn(),
      onReleased: () => this.pump(),
      reason: () => this.record.statusReason,
      setReason: (reason) => this.setStatus(this.record.status, reason),
    });
    this.runner = new RunnerSlot(record.id, context, {
      publish: (event) => this.publish(event),
      onHandshake: () => {
        if (this.turn && !this.turn.isSentToRunner) this.sendTurn(this.turn);
      },
      onEvent: (event) => this.handleRunnerEvent(event),
      onLost: (exit) => this.handleRunnerLost(exit),
      onStartTimeout: (message) => {
        // Only a turn waiting for this runner fails; with none, there is nothing to tell.
        if (!this.turn || this.turn.isSentToRunner) return;
        this.publish({
          type: 'error_reported',
          payload: { code: 'runner_unresponsive', message, retryable: true },
        });
        this.endTurn({ outcome: 'failed', reason: message, retryable: true });
      },
    });
  }

  get session(): SessionRecord {
    return this.record;
  }

  get queuedMessages(): number {
    return this.queue.length;
  }

  /** Accept a user message: log it now, run it when the session is free (unless cancelled or archived). */
  sendMessage(text: string): { messageId: string; queued: boolean } {
    if (this.record.status === 'archived') throw new SessionArchivedError(this.record.id);
    if (this.closingReason)
      throw new ConflictError(`This session cannot take messages now: ${this.closingReason}`);
    const problem = this.worktreeProblem();
    if (problem) {
      throw new ConflictError(
        `${problem.slice(0, -1)}, so the agent has nowhere to work. Its branch ${this.record.branch} is intact: restore the session.`,
      );
    }
    const messageId = newId('msg');
    // Queued = it will not start at once, whatever holds it: the UI shows it waiting, cancellable.
    const queued = this.turn !== null || this.gate.wouldWait || this.record.status === 'creating';
    this.publish({ type: 'user_message', payload: { messageId, text, queued } });
    this.queue.push({ messageId, text });
    this.pump();
    this.context.onChanged(this.record.id);
    return { messageId, queued };
  }

  /**
   * An idle session whose worktree went away (deleted by hand) says so now, rather than when the
   * next message is refused. A running turn finds out when it ends.
   */
  noticeMissingWorktree(): void {
    if (this.isBusy || this.closingReason) return;
    if (this.record.status !== 'idle') return;
    const problem = this.worktreeProblem();
    if (problem) this.setStatus('error', `${problem} Restore the session to go on.`);
  }

  /** A turn is running or about to start (waiting for an agent slot). */
  get isBusy(): boolean {
    return this.turn !== null || this.gate.isWaitingForSlot;
  }

  /** Hold new turns back while a git operation changes the worktree (messages sent meanwhile queue). */
  holdTurns(): () => void {
    return this.gate.hold();
  }

  /**
   * Take back a message that has not started; like a turn's start, in one go, so never both.
   * `not_queued`: it ran, was dropped before, or is unknown (the log says which).
   */
  cancelMessage(messageId: string): 'cancelled' | 'running' | 'not_queued' {
    if (this.record.status === 'archived') throw new SessionArchivedError(this.record.id);
    if (this.turn?.messageId === messageId) return 'running';
    if (!this.queue.drop(messageId, 'Cancelled by you.')) return 'not_queued';
    // The slot asked for on this message's behalf is not needed any more (nor the note about it:
    // the reason it replaced, such as why the session is in error, is back).
    if (this.queue.length === 0) this.gate.cancelWait({ restoreReason: true });
    this.context.onChanged(this.record.id);
    return 'cancelled';
  }

  /** Re-queue messages that were accepted before a restart but never started. */
  requeue(messages: QueuedMessage[]): void {
    this.queue.push(...messages);
  }

  /** The worktree is ready (or the backend restarted): start on whatever is queued. */
  activate(): void {
    if (this.record.status === 'creating') this.setStatus('idle', null);
    this.pump();
  }

  /** Stop the running turn — only if it is `turnId`, when given. False when nothing was stopped. */
  interrupt(turnId?: string): boolean {
    const turn = this.turn;
    if (!turn || (turnId !== undefined && turn.turnId !== turnId)) return false;
    turn.isInterruptRequested = true;
    if (!turn.isSentToRunner) {
      this.endTurn({ outcome: 'interrupted', reason: 'Stopped before the agent started.' });
      return true;
    }
    this.runner.send({ type: 'interrupt', session: this.record.id, turnId: turn.turnId });
    // Safety net: a turn that will not wind down is ended here and its runner replaced.
    this.interruptTimer = setTimeout(() => {
      if (this.turn !== turn) return;
      const runner = this.runner.detach();
      this.endTurn({
        outcome: 'interrupted',
        reason: 'Stopped by you (the agent did not respond to the interrupt and was terminated).',
      });
      void runner?.stop(1000);
    }, this.context.interruptGraceMs);
    return true;
  }

  answerPermission(requestId: string, decision: PermissionDecisionBody): void {
    this.permissions.answer(requestId, decision, this.runner.current);
  }

  /** Change the model or permission mode; applies to the live runner and to every later one. */
  updateSettings(fields: { model?: string; permissionMode?: SessionRecord['permissionMode'] }): void {
    this.record = this.context.sessions.update(this.record.id, fields);
    this.publish({ type: 'settings_changed', payload: fields });
    if (fields.model) this.runner.send({ type: 'set_model', session: this.record.id, model: fields.model });
    const mode = fields.permissionMode;
    if (mode) this.runner.send({ type: 'set_permission_mode', session: this.record.id, mode });
    this.context.onChanged(this.record.id);
  }

  /**
   * Stop everything this session runs — its turn, its runner and any runner still winding down —
   * and refuse new work until `reopen`. Used by archive and by shutdown; the status is left as is.
   * Queued messages stay queued (they are in the log, and recovery re-queues them after a restart).
   */
  async close(reason: string, turnEndReason: string): Promise<void> {
    this.refuseNewWork(reason);
    this.clearTimers();
    // Detach first: ending the turn must not hand anything to the runner being stopped.
    const runner = this.runner.detach();
    if (this.turn) this.endTurn({ outcome: 'interrupted', reason: turnEndReason });
    await runner?.stop();
    await this.runner.stopAll();
  }

  /**
   * The first, synchronous half of `close`: nothing new starts from now on. A shutdown does this to
   * every session before closing any, so a slot freed by one is not handed to the next, only for
   * that turn to be ended at once (its message would then count as started and never run).
   */
  refuseNewWork(reason: string): void {
    this.closingReason = reason;
    this.gate.cancelWait();
  }

  /** Messages not started, taken out (a restore hands them to the session's new controller). */
  takeQueued(): QueuedMessage[] {
    return this.queue.takeAll();
  }

  /** Undo `close` after an archive that failed: the session carries on. */
  reopen(): void {
    this.closingReason = null;
    this.pump();
  }

  /**
   * `note`: what the archive did that the user should know (git-ignored files saved or deleted).
   * Messages still queued will not run: the log says so, so neither a restore nor a restart runs
   * them later, unasked.
   */
  markArchived(archivedRef: string | null, note: string | null = null): void {
    this.queue.dropAll('The session was archived before this message’s turn came.');
    this.record = this.context.sessions.update(this.record.id, {
      archivedRef: archivedRef ?? this.record.archivedRef,
    });
    this.setStatus('archived', note);
  }

  private pump(): void {
    if (this.turn || this.queue.length === 0 || this.closingReason) return;
    if (this.record.status === 'creating' || this.record.status === 'archived') return;
    this.gate.requestSlot();
  }

  private startTurn(): void {
    const message = this.queue.shift();
    if (!message) {
      this.gate.release();
      return;
    }
    this.clearTimers();
    const turn: Turn = {
      turnId: newId('turn'),
      ...message,
      isSentToRunner: false,
      isInterruptRequested: false,
    };
    this.turn = turn;
    try {
      this.publish({ type: 'turn_started', payload: { turnId: turn.turnId, messageId: turn.messageId } });
      // The worktree went away while the message waited: no agent may start in a folder that is not
      // the session's worktree (in a bare folder it would work outside git, unseen).
      const problem = this.worktreeProblem();
      if (problem) {
        this.endTurn({
          outcome: 'failed',
          reason: `${problem} Restore the session to go on.`,
          retryable: false,
        });
        return;
      }
      this.setStatus('running', null);
      if (!this.runner.current) this.runner.start(this.record);
      else if (this.runner.isReady) this.sendTurn(turn);
    } catch (error) {
      // Spawning can throw (a full disk, no memory): the turn must end, not stay "running".
      const reason = `The agent could not be started: ${(error as Error).message}`;
      this.endTurn({ outcome: 'failed', reason, retryable: true });
    }
  }

  private sendTurn(turn: Turn): void {
    turn.isSentToRunner = true;
    this.runner.send({
      type: 'user_message',
      session: this.record.id,
      turnId: turn.turnId,
      text: turn.text,
    });
  }

  private handleRunnerEvent(event: RunnerEvent): void {
    const turnId = this.turn?.turnId;
    switch (event.type) {
      case 'hello':
        return; // the slot's handshake
      case 'ready':
        if (event.sdkSessionId !== this.record.sdkSessionId) {
          this.record = this.context.sessions.update(this.record.id, { sdkSessionId: event.sdkSessionId });
          this.publish({
            type: 'agent_ready',
            payload: { sdkSessionId: event.sdkSessionId, model: event.model },
          });
        }
        return;
      case 'exit':
      case 'error':
        return; // the slot's: about the process, not the turn
    }
    // Everything below belongs to a turn; a late line from a turn that already ended is dropped.
    if (event.turnId !== turnId) {
      this.context.logger.debug(
        `runner ${this.record.id}: ignoring ${event.type} for stale turn ${event.turnId}`,
      );
      return;
    }
    switch (event.type) {
      case 'stream_delta':
        this.context.hub.publishDelta(this.record.id, toDeltaPayload(event));
        return;
      case 'assistant_message':
      case 'tool_use':
      case 'tool_result':
        this.publish(toLogEvent(event));
        return;
      case 'permission_request':
        this.permissions.add(event);
        return;
      case 'permission_cancelled':
        this.permissions.cancel(event.requestId, event.reason);
        return;
      case 'result':
        this.endTurn(
          resultToTurnEnd(event.result, this.turn?.isInterruptRequested ?? false, {
            isPriced: !this.context.isDemoModel,
          }),
        );
        return;
    }
  }

  /** The runner died without being asked to: the turn it was running fails (or ends, if stopped). */
  private handleRunnerLost(exit: RunnerExit): void {
    if (!this.turn) return;
    const end = exitToTurnEnd(exit, this.turn.isInterruptRequested);
    if (end.outcome === 'failed')
      this.publish({
        type: 'error_reported',
        payload: { code: 'runner_crashed', message: end.reason ?? describeExit(exit), retryable: true },
      });
    this.endTurn(end);
  }

  private endTurn(end: TurnEnd): void {
    const turn = this.turn;
    if (!turn) return;
    this.turn = null;
    if (this.interruptTimer) clearTimeout(this.interruptTimer);
    this.interruptTimer = null;
    // Every step runs even if the log cannot be written: a slot kept or a pump skipped would leave
    // the session looking busy, and its messages waiting, until a restart.
    runEvery(
      () => this.permissions.expireAll(),
      () => this.publish({ type: 'turn_ended', payload: { turnId: turn.turnId, ...end } }),
      () => this.gate.release(),
      () => this.settleStatus(end),
      () => this.context.onTurnEnded?.(this.record.id),
      // Messages accepted earlier run even after a failed turn: they were promised to run, in order.
      () => this.pump(),
      () => this.turn || this.runner.stopWhenIdle(),
    );
  }

  private settleStatus(end: TurnEnd): void {
    // The worktree can go during a turn (deleted by hand; the agent may even re-create the folder,
    // without git): the session must say so, not look ready.
    const problem = end.outcome === 'failed' ? null : this.worktreeProblem();
    if (end.outcome === 'failed') this.setStatus('error', end.reason ?? 'The turn failed.');
    else
      this.setStatus(problem ? 'error' : 'idle', problem ? `${problem} Restore the session to go on.` : null);
  }

  private clearTimers(): void {
    this.runner.cancelIdleStop();
    if (this.interruptTimer) clearTimeout(this.interruptTimer);
    this.interruptTimer = null;
  }

  /** Why the worktree cannot be worked in, if it cannot (the UI then offers Restore). */
  private worktreeProblem(): string | null {
    const problem = worktreeProblem(this.record.worktreePath);
    if (problem) this.context.onWorktreeMissing(this.record.id);
    return problem;
  }

  private setStatus(status: SessionStatus, reason: string | null): void {
    const changed = status !== this.record.status || reason !== this.record.statusReason;
    if (!changed) return;
    const statusChanged = status !== this.record.status;
    this.record = this.context.sessions.update(this.record.id, { status, statusReason: reason });
    if (statusChanged)
      this.publish({ type: 'status_changed', payload: { status, reason: reason ?? undefined } });
    this.context.onChanged(this.record.id);
  }

  private publish(event: NewSessionEvent): void {
    this.context.hub.publish(this.record.id, event);
  }
}
