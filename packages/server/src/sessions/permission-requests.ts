import type { NewSessionEvent, PermissionDecisionBody, RunnerEvent, SessionStatus } from '@chatml/protocol';
import { ConflictError, NotFoundError } from '../errors.js';
import type { RunnerProcess } from '../runners/runner-process.js';

type PermissionRequestEvent = Extract<RunnerEvent, { type: 'permission_request' }>;

/** What a session's permission requests need from their controller. */
export interface PermissionRequestsHost {
  readonly sessionId: string;
  publish(event: NewSessionEvent): void;
  setStatus(status: SessionStatus, reason: string | null): void;
}

/**
 * The tool calls of a session's current turn that wait for the user's answer, and the
 * `waiting_permission` status they put the session in. Every request ends with exactly one
 * `permission_resolved`: answered by the user, withdrawn by the runner, or expired with its turn.
 *
 * Requests belong to a turn (the controller drops runner lines of any other), and `expireAll` runs
 * whenever a turn ends, so while one is pending a turn is running and `running` is the status to
 * return to.
 *
 * @example
 * const permissions = new PermissionRequests({ sessionId, publish, setStatus });
 * permissions.add(event);                       // the runner asked
 * permissions.answer(requestId, { allow: true }, runner);
 */
export class PermissionRequests {
  private readonly pending = new Set<string>();
  /** Requests answered or withdrawn lately: a second answer (another tab) is told so, not "unknown". */
  private readonly settled = new Set<string>();

  constructor(private readonly host: PermissionRequestsHost) {}

  add(event: PermissionRequestEvent): void {
    this.pending.add(event.requestId);
    this.host.publish({
      type: 'permission_requested',
      payload: {
        turnId: event.turnId,
        requestId: event.requestId,
        tool: event.tool,
        input: event.input,
        reason: event.reason,
        toolUseId: event.toolUseId,
      },
    });
    this.host.setStatus('waiting_permission', null);
  }

  /**
   * Hands the user's decision to the runner. Without a runner the request died with it, so it is
   * as unknown as one that never existed.
   */
  answer(
    requestId: string,
    decision: PermissionDecisionBody,
    runner: Pick<RunnerProcess, 'send'> | null,
  ): void {
    if (this.settled.has(requestId)) {
      throw new ConflictError('This permission request was already answered (or withdrawn).');
    }
    if (!this.pending.has(requestId) || !runner) throw new NotFoundError('Permission request', requestId);
    this.settle(requestId);
    runner.send({ type: 'permission_response', session: this.host.sessionId, requestId, ...decision });
    this.host.publish({
      type: 'permission_resolved',
      payload: { requestId, allow: decision.allow, message: decision.message, by: 'user' },
    });
    if (this.pending.size === 0) this.host.setStatus('running', null);
  }

  /**
   * The SDK withdrew the question (its tool call was cancelled). It may cross the user's answer, so
   * one no longer pending is ignored.
   */
  cancel(requestId: string, reason: string): void {
    if (!this.pending.has(requestId)) return;
    this.settle(requestId);
    this.host.publish({
      type: 'permission_resolved',
      payload: { requestId, allow: false, message: reason, by: 'system' },
    });
    if (this.pending.size === 0) this.host.setStatus('running', null);
  }

  /**
   * The turn ended (result, interrupt, runner exit, close): its requests can no longer be answered.
   * The status is left to the turn's end.
   */
  expireAll(): void {
    for (const requestId of this.pending) {
      this.remember(requestId);
      this.host.publish({
        type: 'permission_resolved',
        payload: { requestId, allow: false, message: 'The turn ended before an answer.', by: 'system' },
      });
    }
    this.pending.clear();
  }

  private settle(requestId: string): void {
    this.pending.delete(requestId);
    this.remember(requestId);
  }

  private remember(requestId: string): void {
    this.settled.add(requestId);
    // Bounded: only a request answered moments ago can meet a second answer.
    if (this.settled.size > 100) this.settled.delete(this.settled.values().next().value as string);
  }
}
