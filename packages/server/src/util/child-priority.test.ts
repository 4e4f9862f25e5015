import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { waitUntil } from '@chatml/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChildPriority, linuxPriority, type PriorityIo, type SetNiceOutcome } from './child-priority.js';

/** A kernel that answers `setNice` from a script and records the calls; the child is pid 4242. */
function scriptedIo(childGroup: string, answers: SetNiceOutcome[]) {
  const calls: string[] = [];
  const groups: Record<string, string> = { self: '/autogroup-1', '4242': childGroup };
  const io: PriorityIo = {
    setPriority: (pid, niceness) => calls.push(`nice ${pid}=${niceness}`),
    groupOf: (pid) => groups[pid],
    setNice: (pid, niceness) => {
      calls.push(`group ${pid}=${niceness}`);
      return answers.shift() ?? 'done';
    },
  };
  return { io, calls };
}

describe('ChildPriority queue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries at the kernel pace while it says busy, then goes on with the next child', () => {
    vi.useFakeTimers();
    const { io, calls } = scriptedIo('/autogroup-2', ['busy', 'busy', 'done', 'done']);
    const priority = new ChildPriority(io, 110);
    const errors: string[] = [];
    priority.lower(4242, 10, (message) => errors.push(message));
    priority.lower(4242, 12, (message) => errors.push(message));
    expect(calls).toEqual(['nice 4242=10', 'group 4242=10', 'nice 4242=12']);
    vi.advanceTimersByTime(110);
    expect(calls.slice(3)).toEqual(['group 4242=10']);
    vi.advanceTimersByTime(110);
    // The third try went through, and the next child's followed at once.
    expect(calls.slice(4)).toEqual(['group 4242=10', 'group 4242=12']);
    expect(errors).toEqual([]);
  });

  it('never touches the scheduling group the backend itself is in', () => {
    const { io, calls } = scriptedIo('/autogroup-1', []);
    new ChildPriority(io).lower(4242, 10);
    expect(calls).toEqual(['nice 4242=10']);
  });

  it('drops a child that has exited and reports other failures', () => {
    const { io, calls } = scriptedIo('/autogroup-2', ['gone', { error: 'EPERM: operation not permitted' }]);
    const errors: string[] = [];
    const priority = new ChildPriority(io);
    priority.lower(4242, 10, (message) => errors.push(message));
    priority.lower(4242, 10, (message) => errors.push(message));
    expect(calls.filter((call) => call.startsWith('group'))).toHaveLength(2);
    expect(errors).toEqual([
      'could not lower the scheduling group of process 4242: EPERM: operation not permitted',
    ]);
  });

  it('gives up after its tries when the kernel keeps refusing, and says so', () => {
    vi.useFakeTimers();
    const { io, calls } = scriptedIo('/autogroup-2', ['busy', 'busy', 'busy']);
    const errors: string[] = [];
    new ChildPriority(io, 10, 3).lower(4242, 10, (message) => errors.push(message));
    vi.advanceTimersByTime(100);
    expect(calls.filter((call) => call.startsWith('group'))).toHaveLength(3);
    expect(errors).toEqual([
      'could not lower the scheduling group of process 4242: the kernel kept refusing',
    ]);
  });

  it('does nothing at niceness 0', () => {
    const { io, calls } = scriptedIo('/autogroup-2', []);
    new ChildPriority(io).lower(4242, 0);
    expect(calls).toEqual([]);
  });
});

// The real kernel: Linux with autogroup scheduling (the default on desktop distributions).
const hasAutogroups = existsSync('/proc/self/autogroup');

describe.runIf(hasAutogroups)('ChildPriority on Linux autogroups', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });
  const niceOf = (pid: number | string) =>
    Number(readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim().split(' nice ')[1]);

  it("lowers a detached child's whole scheduling group, not only the process", async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    children.push(child);
    const pid = child.pid as number;
    const ownNice = niceOf('self');
    new ChildPriority().lower(pid, 7);
    expect(getPriority(pid)).toBe(7);
    // Unprivileged, the kernel may ask us to wait up to 100 ms (see the class comment).
    await waitUntil(() => niceOf(pid) === 7, { what: "the child's autogroup nice to become 7" });
    expect(linuxPriority.groupOf(String(pid))).not.toBe(linuxPriority.groupOf('self'));
    expect(niceOf('self')).toBe(ownNice);
  });

  it('leaves the backend’s own group alone for a child that shares it', () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid as number;
    const ownNice = niceOf('self');
    new ChildPriority().lower(pid, 7);
    expect(getPriority(pid)).toBe(7);
    expect(niceOf('self')).toBe(ownNice);
    expect(niceOf(pid)).toBe(ownNice);
  });
});
