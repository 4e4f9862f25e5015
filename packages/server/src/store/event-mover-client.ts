import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LineSplitter, type MoverConfig, MoverReply, type MoverRequest, parseLine } from '@chatml/protocol';
import type { Logger } from '../logger.js';
import { childPriority } from '../util/child-priority.js';

/** What the event store hands sealed journal files to (store/event-store.ts). */
export interface MoveHandoff {
  /**
   * Ask for a sealed generation's file to be moved into the database. False: not taken (the mover is
   * failing, or too far behind) — the store moves it itself.
   */
  move(generation: number, path: string): boolean;
}

/** `moved`: the rows are in the database and durable; the file may go. */
export type MovedReply = Extract<MoverReply, { type: 'moved' }>;

export interface EventMoverOptions {
  databasePath: string;
  schemaVersion: number;
  logger: Logger;
  /** Niceness of the mover process (like the runners': it is background work). */
  niceness: number;
  onMoved: (reply: MovedReply) => void;
  /** These generations were handed over but will not be moved by the mover: the store moves them. */
  onLost: (generations: number[]) => void;
  /** The mover's entry script. Default: `event-mover.js` beside this module (or its bundle). */
  entryPath?: string;
  /** Stop the process after this long with nothing to move (it holds ~40 MiB while it runs). */
  idleStopMs?: number;
  /** After the process failed, moves stay with the backend for this long before it is tried again. */
  retryAfterMs?: number;
  /** Files handed over and not moved yet beyond which the store moves them itself. */
  maxInFlight?: number;
  config?: Partial<MoverConfig>;
}

/**
 * The event mover's entry beside this module: `dist/store/event-mover.js`, or in the CLI's bundle
 * `dist/bundle/event-mover.js` (bundled on its own, under that name). Tests run this module from
 * `src/`, where only the built file exists under `dist/`.
 */
export function defaultMoverEntry(): string {
  const here = fileURLToPath(new URL('./event-mover.js', import.meta.url));
  if (existsSync(here)) return here;
  return here.replace(/([/\\])src([/\\]store[/\\]event-mover\.js)$/, '$1dist$2');
}

/**
 * Starts and talks to the event mover process (store/event-mover.ts): on the first file to move,
 * stopped again after `idleStopMs` without any. Files are handed over in order and answered in
 * order. If the process cannot start, exits, or says something that is not the protocol, everything
 * handed over and not answered is given back (`onLost`), and moves stay with the backend for
 * `retryAfterMs`: nothing depends on the mover but speed.
 */
export class EventMoverClient implements MoveHandoff {
  private child: ChildProcess | null = null;
  private isReady = false;
  /** Requests not answered yet, oldest first (the mover answers in order). */
  private inFlight: MoverRequest[] = [];
  private unavailableUntil = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private isClosed = false;
  /** Every mover process not exited yet (one stopped when idle may still be finishing). */
  private readonly running = new Set<Promise<void>>();
  private readonly entryPath: string;
  private readonly idleStopMs: number;
  private readonly retryAfterMs: number;
  private readonly maxInFlight: number;

  constructor(private readonly options: EventMoverOptions) {
    this.entryPath = options.entryPath ?? defaultMoverEntry();
    this.idleStopMs = options.idleStopMs ?? 5_000;
    this.retryAfterMs = options.retryAfterMs ?? 30_000;
    this.maxInFlight = options.maxInFlight ?? 50;
  }

  /** The mover's pid while it runs (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  move(generation: number, path: string): boolean {
    if (this.isClosed || Date.now() < this.unavailableUntil) return false;
    if (this.inFlight.length >= this.maxInFlight) return false;
    if (!this.child && !this.start()) return false;
    this.cancelIdleStop();
    const request: MoverRequest = { type: 'move', generation, path };
    this.inFlight.push(request);
    if (this.isReady) this.write(request);
    return true;
  }

  /** Stop the process (at shutdown); resolves once every mover has exited. Later moves are refused. */
  async close(): Promise<void> {
    this.isClosed = true;
    this.cancelIdleStop();
    this.stop();
    await Promise.all(this.running);
  }

  private start(): boolean {
    const config: MoverConfig = {
      ...this.options.config,
      databasePath: this.options.databasePath,
      schemaVersion: this.options.schemaVersion,
    };
    let child: ChildProcess;
    try {
      // No secrets in its environment: it needs none. Detached, so its priority can be lowered
      // with its scheduling group (util/child-priority.ts); it exits when its stdin closes.
      child = spawn(process.execPath, [this.entryPath, JSON.stringify(config)], {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        env: { PATH: process.env.PATH ?? '' },
      });
    } catch (error) {
      this.fail(`could not start the event mover: ${(error as Error).message}`);
      return false;
    }
    this.child = child;
    this.isReady = false;
    const exited = new Promise<void>((resolve) => {
      let isDone = false;
      const done = (reason: string | null) => {
        if (isDone) return;
        isDone = true;
        if (this.child === child) {
          this.child = null;
          // Stopping on purpose answers nothing more; anything still handed over goes back.
          if (reason !== null || this.inFlight.length > 0)
            this.fail(reason ?? 'the event mover stopped with moves outstanding');
        }
        resolve();
      };
      // 'close', not 'exit': its last replies are read by then.
      child.once('close', (code, signal) =>
        done(code === 0 ? null : `the event mover exited (${signal ?? `code ${code}`})`),
      );
      child.once('error', (error) => {
        // No pid: it never started, and no 'exit' will come.
        if (child.pid === undefined) done(`could not start the event mover: ${error.message}`);
      });
    });
    this.running.add(exited);
    void exited.then(() => this.running.delete(exited));
    if (child.pid !== undefined)
      childPriority().lower(child.pid, this.options.niceness, (message) => this.options.logger.warn(message));
    // A dead mover is reported by its exit; a stream error must not become an uncaught exception.
    child.stdin?.on('error', () => {});
    child.stdout?.on('error', () => {});
    child.stderr?.on('error', () => {});
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => this.options.logger.warn(chunk.trimEnd()));
    const splitter = new LineSplitter(
      (line) => this.handleLine(child, line),
      1024 * 1024,
      () => this.abandon(child, 'the event mover wrote an oversize line'),
    );
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => splitter.push(chunk));
    return true;
  }

  private handleLine(child: ChildProcess, line: string): void {
    if (child !== this.child) return;
    const parsed = parseLine(MoverReply, line);
    if (!parsed.ok) {
      this.abandon(child, `the event mover said something unexpected (${parsed.error})`);
      return;
    }
    const reply = parsed.value;
    switch (reply.type) {
      case 'ready':
        this.isReady = true;
        for (const request of this.inFlight) this.write(request);
        return;
      case 'warning':
        this.options.logger.warn(`event mover: ${reply.message}`);
        return;
      case 'moved':
      case 'move_failed': {
        const request = this.inFlight[0];
        if (request?.generation !== reply.generation) {
          this.abandon(child, `the event mover answered for file ${reply.generation} out of order`);
          return;
        }
        this.inFlight.shift();
        if (reply.type === 'moved') this.options.onMoved(reply);
        else {
          this.options.logger.warn(
            `the event mover could not move file ${reply.generation}: ${reply.message}`,
          );
          this.options.onLost([reply.generation]);
        }
        if (this.inFlight.length === 0) this.armIdleStop();
        return;
      }
    }
  }

  private write(request: MoverRequest): void {
    this.child?.stdin?.write(`${JSON.stringify(request)}\n`);
  }

  /** End its stdin: it finishes the file in progress, drops the rest, and exits. */
  private stop(): void {
    const child = this.child;
    if (!child) return;
    // Detached from at once: a move that comes while it exits starts a new one.
    this.child = null;
    this.isReady = false;
    child.stdin?.end();
    // One that does not exit (stuck on a lock?) is killed: moves are safe to repeat.
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    killer.unref();
    child.once('close', () => clearTimeout(killer));
  }

  private abandon(child: ChildProcess, reason: string): void {
    if (child !== this.child) return;
    this.child = null;
    child.kill('SIGKILL');
    this.fail(reason);
  }

  /** Give back whatever was handed over, and keep moves with the backend for a while. */
  private fail(reason: string): void {
    this.options.logger.warn(`${reason}; the backend moves events itself for now`);
    this.unavailableUntil = Date.now() + this.retryAfterMs;
    const lost = this.inFlight.map((request) => request.generation);
    this.inFlight = [];
    this.isReady = false;
    if (lost.length > 0) this.options.onLost(lost);
  }

  private armIdleStop(): void {
    this.cancelIdleStop();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.inFlight.length === 0) this.stop();
    }, this.idleStopMs);
    this.idleTimer.unref();
  }

  private cancelIdleStop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
