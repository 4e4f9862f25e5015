import { mkdirSync } from 'node:fs';
import type { RunnerEvent } from '@chatml/protocol';
import { type RunnerExit, RunnerProcess } from '../runners/runner-process.js';
import type { SessionRecord } from '../store/session-store.js';
import type { SessionManagerDeps } from './session-manager.js';

/**
 * Starts the runner of a session: in its worktree, with its model, permission mode and SDK session
 * to resume, the backend's runner environment, a log file of its own, at the agents' niceness; its
 * output goes through the hub's batches (stored before sent).
 */
export function spawnSessionRunner(
  deps: SessionManagerDeps,
  session: SessionRecord,
  handlers: { onEvent(event: RunnerEvent): void; onExit(exit: RunnerExit): void },
): RunnerProcess {
  const tmpDir = deps.paths.runnerTmp(session.id);
  mkdirSync(tmpDir, { recursive: true });
  return new RunnerProcess({
    sessionId: session.id,
    mainPath: deps.runnerMainPath,
    env: deps.runnerEnv(session.id),
    logPath: deps.paths.sessionLog(session.id),
    logger: deps.logger,
    config: {
      cwd: session.worktreePath,
      model: session.model ?? undefined,
      permissionMode: session.permissionMode,
      resumeSdkSessionId: session.sdkSessionId ?? undefined,
      settingSources: [],
    },
    runBatch: (work) => deps.hub.enqueue(work),
    afterOutput: (report) => deps.hub.whenFlushed(report),
    niceness: deps.runnerNiceness,
    ...handlers,
  });
}
