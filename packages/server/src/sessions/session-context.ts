import type { RunnerEvent } from '@chatml/protocol';
import type { Hub } from '../hub/hub.js';
import type { Logger } from '../logger.js';
import type { RunnerExit, RunnerProcess } from '../runners/runner-process.js';
import type { SessionRecord, SessionStore } from '../store/session-store.js';
import type { TurnScheduler } from './turn-scheduler.js';

/** What a controller needs from the rest of the backend; injected so tests can swap parts. */
export interface SessionContext {
  hub: Hub;
  sessions: SessionStore;
  scheduler: TurnScheduler;
  logger: Logger;
  idleRunnerTimeoutMs: number;
  /** How long an interrupted turn may take to wind down before its runner is killed. */
  interruptGraceMs: number;
  /** How long a new runner may take to greet (`hello`) before its turn fails and it is stopped. */
  runnerStartTimeoutMs: number;
  /** Runners talk to the offline demo model: its token counts are scripted, so no turn has a price. */
  isDemoModel?: boolean;
  spawnRunner(
    record: SessionRecord,
    handlers: { onEvent(event: RunnerEvent): void; onExit(exit: RunnerExit): void },
  ): RunnerProcess;
  /** The session's public state changed (status, queue, …): tell the UI's session list. */
  onChanged(sessionId: string): void;
  /** The worktree is gone (or lost its .git): the UI must offer Restore. */
  onWorktreeMissing(sessionId: string): void;
  /** A turn ended (its edits are done): the session's change may have grown. */
  onTurnEnded?(sessionId: string): void;
}

export interface QueuedMessage {
  messageId: string;
  text: string;
}

export interface Turn {
  turnId: string;
  messageId: string;
  text: string;
  isSentToRunner: boolean;
  isInterruptRequested: boolean;
}
