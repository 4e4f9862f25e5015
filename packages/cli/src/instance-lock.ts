import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * One backend per `$CHATML_HOME`. The lock file holds `pid:starttime` and appears atomically
 * (written aside, then hard-linked into place, which fails if it exists), so no one ever reads a
 * half-written lock. A lock whose process is gone — or whose pid now belongs to another process,
 * as after a reboot — is stale: it is renamed away (only one contender can win the rename) and
 * the acquisition retried.
 */
export class InstanceLock {
  private constructor(
    private readonly path: string,
    private readonly content: string,
  ) {}

  static acquire(path: string): InstanceLock | { heldBy: number } {
    const content = `${process.pid}:${processStartTime(process.pid)}`;
    const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(aside, content, { mode: 0o600 });
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          linkSync(aside, path);
          return new InstanceLock(path, content);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const holder = readHolder(path);
        if (holder && isHeldBy(holder)) return { heldBy: holder.pid };
        try {
          const stale = `${path}.stale.${randomBytes(4).toString('hex')}`;
          renameSync(path, stale);
          rmSync(stale, { force: true });
        } catch (error) {
          // ENOENT: another contender moved it first; try again.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
      throw new Error(`Could not take the lock ${path}; is another ChatML starting right now?`);
    } finally {
      rmSync(aside, { force: true });
    }
  }

  release(): void {
    try {
      if (readFileSync(this.path, 'utf8') === this.content) rmSync(this.path, { force: true });
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function readHolder(path: string): { pid: number; startTime: string } | undefined {
  try {
    const [pid = '', startTime = ''] = readFileSync(path, 'utf8').trim().split(':');
    const parsed = Number.parseInt(pid, 10);
    return Number.isInteger(parsed) && parsed > 0 ? { pid: parsed, startTime } : undefined;
  } catch {
    return undefined;
  }
}

function isHeldBy(holder: { pid: number; startTime: string }): boolean {
  if (holder.pid === process.pid || !isAlive(holder.pid)) return false;
  // Same pid but a different start time: the pid was reused by an unrelated process.
  const current = processStartTime(holder.pid);
  return holder.startTime === '' || current === '' || current === holder.startTime;
}

/** The kernel's start time of a process (Linux), to tell a live holder from a reused pid. */
function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the parenthesised command name (which may contain spaces).
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
