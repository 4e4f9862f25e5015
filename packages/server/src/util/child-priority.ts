import { readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the CPU priority of a child started `detached`, so that it actually yields to the backend.
 *
 * `detached` gives a child its own process group, which is how runners and git are stopped as a
 * whole tree — but on POSIX it also gives it its own session, and on Linux with autogroup
 * scheduling (on by default in desktop distributions: `/proc/sys/kernel/sched_autogroup_enabled`)
 * every session is a scheduling group of its own that gets as much CPU as any other group, whatever
 * the nice values of the tasks in it: nice only counts inside the group. So a runner at nice 10 got
 * as much of a busy machine as the whole backend — measured with 20 streaming runners
 * (bench/hub-latency.mjs), the backend's main thread stalled for 30–60 ms at a time waiting for a
 * CPU, and the runners' nice value changed nothing. What weighs a group against the others is the
 * group's own nice value, `/proc/<pid>/autogroup`, so that is set as well as the process's.
 *
 * Without CAP_SYS_ADMIN the kernel takes one autogroup change per 100 ms for the whole system
 * (EAGAIN otherwise), so changes are queued and retried at that pace; one whose process has gone
 * is dropped. Elsewhere (macOS, Linux without autogroup) the process's nice value is all there is.
 */
type OnError = (message: string) => void;

export class ChildPriority {
  private readonly queue: Array<{ pid: number; niceness: number; tries: number; onError: OnError }> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly ownGroup: string | undefined;

  constructor(
    private readonly io: PriorityIo = linuxPriority,
    private readonly retryMs = 110,
    private readonly maxTries = 50,
  ) {
    this.ownGroup = io.groupOf('self');
  }

  /** Lower `pid` (a child started `detached`) and everything it starts to `niceness` (1–19). */
  lower(pid: number, niceness: number, onError: OnError = () => {}): void {
    if (niceness <= 0) return;
    try {
      this.io.setPriority(pid, niceness);
    } catch (error) {
      onError(`could not lower the priority of process ${pid}: ${(error as Error).message}`);
    }
    if (this.ownGroup === undefined) return; // no autogroups here
    const group = this.io.groupOf(String(pid));
    // Never renice a group the backend is in: that would lower the backend itself.
    if (group === undefined || group === this.ownGroup) return;
    this.queue.push({ pid, niceness, tries: 0, onError });
    if (this.queue.length === 1) this.drain();
  }

  /** Stop retrying (the backend is closing); changes already made stay. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  private drain(): void {
    this.timer = undefined;
    while (this.queue.length > 0) {
      const next = this.queue[0] as (typeof this.queue)[number];
      const outcome = this.io.setNice(String(next.pid), next.niceness);
      if (outcome === 'busy') {
        next.tries += 1;
        if (next.tries < this.maxTries) {
          this.timer = setTimeout(() => this.drain(), this.retryMs);
          this.timer.unref();
          return;
        }
        next.onError(`could not lower the scheduling group of process ${next.pid}: the kernel kept refusing`);
      } else if (typeof outcome === 'object') {
        next.onError(`could not lower the scheduling group of process ${next.pid}: ${outcome.error}`);
      }
      this.queue.shift();
    }
  }
}

export type SetNiceOutcome = 'done' | 'gone' | 'busy' | { error: string };

/** The kernel interface, injectable for tests. */
export interface PriorityIo {
  setPriority(pid: number, niceness: number): void;
  /** The autogroup's name (`/autogroup-123`), undefined without autogroups or once the process is gone. */
  groupOf(pid: string): string | undefined;
  setNice(pid: string, niceness: number): SetNiceOutcome;
}

export const linuxPriority: PriorityIo = {
  setPriority,
  groupOf(pid) {
    if (process.platform !== 'linux') return undefined;
    try {
      // "/autogroup-123 nice 0"
      return readFileSync(`/proc/${pid}/autogroup`, 'utf8').split(' ')[0];
    } catch {
      return undefined;
    }
  },
  setNice(pid, niceness) {
    try {
      writeFileSync(`/proc/${pid}/autogroup`, String(niceness));
      return 'done';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') return 'busy';
      if (code === 'ENOENT' || code === 'ESRCH') return 'gone';
      return { error: (error as Error).message };
    }
  },
};

let shared: ChildPriority | undefined;

/** The backend's one queue: the kernel's pace limit is per system, not per caller. */
export function childPriority(): ChildPriority {
  shared ??= new ChildPriority();
  return shared;
}
