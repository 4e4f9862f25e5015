import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunnerCommand, RunnerEvent, StoredEvent } from '@chatml/protocol';
import { makeTempDir, type TempDir } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedSessions } from '../../test/store/seed.js';
import { Hub } from '../hub/hub.js';
import { silentLogger } from '../logger.js';
import type { RunnerExit, RunnerProcess } from '../runners/runner-process.js';
import { type Database, EventStore, openDatabase, type SessionStore } from '../store/index.js';
import type { SessionContext } from './session-context.js';
import { SessionController } from './session-controller.js';
import { TurnScheduler } from './turn-scheduler.js';

/** A runner process as the controller sees it: what it was sent, and lines/exit the test makes up. */
class FakeRunner {
  readonly sent: RunnerCommand[] = [];
  private exit: ((exit: RunnerExit) => void) | null = null;
  constructor(
    readonly emit: (event: RunnerEvent) => void,
    private readonly onExit: (exit: RunnerExit) => void,
  ) {}
  pid = 4242;
  send(command: RunnerCommand) {
    this.sent.push(command);
  }
  async stop(): Promise<RunnerExit> {
    return this.end({ exitCode: 0, signal: null });
  }
  /** Dies on its own, as a crash would. */
  crash(): RunnerExit {
    return this.end({ exitCode: 1, signal: null });
  }
  private end(exit: RunnerExit): RunnerExit {
    this.onExit(exit);
    this.exit?.(exit);
    return exit;
  }
  waitForExit(): Promise<RunnerExit> {
    return new Promise((resolve) => {
      this.exit = resolve;
    });
  }
}

describe('SessionController', () => {
  let db: Database;
  let events: EventStore;
  let sessions: SessionStore;
  let hub: Hub;
  let scheduler: TurnScheduler;
  let dir: TempDir;
  let runners: FakeRunner[];
  let spawn: () => void;

  beforeEach(async () => {
    db = openDatabase(':memory:', silentLogger);
    sessions = seedSessions(db, ['s1', 's2', 's3']);
    events = new EventStore(db);
    hub = new Hub(events, () => true, { logger: silentLogger });
    scheduler = new TurnScheduler(1);
    dir = await makeTempDir('controller');
    runners = [];
    spawn = () => undefined;
  });
  afterEach(async () => {
    events.close();
    db.close();
    await dir.cleanup();
  });

  /** A controller over a real event log, whose worktree is a folder with a .git in it. */
  function controllerFor(sessionId: string, overrides: Partial<SessionContext> = {}) {
    const worktreePath = join(dir.path, sessionId);
    mkdirSync(join(worktreePath, '.git'), { recursive: true });
    const record = sessions.update(sessionId, { worktreePath });
    return new SessionController(record, {
      hub,
      sessions,
      scheduler,
      logger: silentLogger,
      idleRunnerTimeoutMs: 60_000,
      interruptGraceMs: 5_000,
      runnerStartTimeoutMs: 60_000,
      spawnRunner: (_record, handlers) => {
        spawn();
        const runner = new FakeRunner(handlers.onEvent, handlers.onExit);
        runners.push(runner);
        return runner as unknown as RunnerProcess;
      },
      onChanged: () => undefined,
      onWorktreeMissing: () => undefined,
      ...overrides,
    });
  }

  const typesOf = (sessionId: string) => events.after(sessionId, 0).map((event: StoredEvent) => event.type);

  it('ends a turn whose agent cannot be spawned as failed, gives its slot back and runs the next message', () => {
    const controller = controllerFor('s1');
    spawn = () => {
      throw new Error('spawn E2BIG');
    };
    controller.sendMessage('first');
    expect(controller.session).toMatchObject({ status: 'error' });
    expect(controller.session.statusReason).toContain('The agent could not be started: spawn E2BIG');
    expect(controller.isBusy).toBe(false);
    expect(scheduler.runningCount).toBe(0);

    spawn = () => undefined;
    controller.sendMessage('second');
    expect(controller.session.status).toBe('running');
    expect(runners).toHaveLength(1);
  });

  it('gives the agent slot back and starts the next session even when the turn end cannot be logged', () => {
    const first = controllerFor('s1');
    const second = controllerFor('s2');
    first.sendMessage('go');
    second.sendMessage('wait for the slot');
    expect(second.isBusy).toBe(true);

    const publish = hub.publish.bind(hub);
    hub.publish = (sessionId, event) => {
      if (event.type === 'turn_ended') throw new Error('disk full');
      return publish(sessionId, event);
    };
    // The runner dies: its turn fails, and logging that fails too (reported, not thrown into the loop).
    runners[0]?.crash();
    expect(first.isBusy).toBe(false);
    expect(first.session.status).toBe('error');
    expect(scheduler.runningCount).toBe(1);
    expect(typesOf('s2')).toContain('turn_started');
  });

  it('says nothing when a runner whose turn was stopped never greets: no turn waits for it', async () => {
    const controller = controllerFor('s1', { runnerStartTimeoutMs: 30 });
    controller.sendMessage('go');
    expect(controller.interrupt()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(typesOf('s1')).toContain('runner_stopped');
    expect(typesOf('s1')).not.toContain('error_reported');
    expect(controller.session.status).toBe('idle');
  });

  it("keeps a waiting session's place in line current as sessions ahead of it leave", () => {
    const [first, second, third] = [controllerFor('s1'), controllerFor('s2'), controllerFor('s3')];
    first.sendMessage('running');
    const dropped = second.sendMessage('waiting first');
    third.sendMessage('waiting second');
    expect(third.session.statusReason).toContain('(position 2)');
    expect(second.cancelMessage(dropped.messageId)).toBe('cancelled');
    expect(third.session.statusReason).toContain('(position 1)');
  });

  it('on shutdown keeps a message waiting for a slot queued, unstarted, when another session frees one', async () => {
    const first = controllerFor('s1');
    const second = controllerFor('s2');
    first.sendMessage('running');
    second.sendMessage('waiting');
    for (const controller of [first, second]) controller.refuseNewWork('ChatML is shutting down.');
    await Promise.all([first, second].map((controller) => controller.close('shutdown', 'shutdown')));
    expect(typesOf('s1')).toContain('turn_ended');
    expect(typesOf('s2')).not.toContain('turn_started');
    expect(second.queuedMessages).toBe(1);
    expect(runners).toHaveLength(1);
  });
});
