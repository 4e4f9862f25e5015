import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

/**
 * One backend per `$CHATML_HOME`: an exclusively-created lock file holding our pid. A lock left by
 * a process that no longer exists is stale and taken over.
 */
export class InstanceLock {
  private constructor(private readonly path: string) {}

  static acquire(path: string): InstanceLock | { heldBy: number } {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return new InstanceLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number.parseInt(readFileSafe(path), 10);
        if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder))
          return { heldBy: holder };
        rmSync(path, { force: true });
      }
    }
    throw new Error(`Could not take the lock ${path}.`);
  }

  release(): void {
    if (readFileSafe(this.path) === String(process.pid)) rmSync(this.path, { force: true });
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
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
