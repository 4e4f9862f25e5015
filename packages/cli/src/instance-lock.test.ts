import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@chatml/testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { InstanceLock } from './instance-lock.js';

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir('lock');
});
afterEach(() => dir.cleanup());

it('is held by one owner until released', () => {
  const path = join(dir.path, 'server.lock');
  const lock = InstanceLock.acquire(path);
  expect(lock).toBeInstanceOf(InstanceLock);
  expect(readFileSync(path, 'utf8')).toMatch(new RegExp(`^${process.pid}:\\d+$`));
  (lock as InstanceLock).release();
  expect(existsSync(path)).toBe(false);
});

it('reports a live holder', async () => {
  const path = join(dir.path, 'server.lock');
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  try {
    const stat = readFileSync(`/proc/${holder.pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    writeFileSync(path, `${holder.pid}:${start}`);
    expect(InstanceLock.acquire(path)).toEqual({ heldBy: holder.pid });
  } finally {
    holder.kill();
  }
});

it('takes over a lock whose process is gone, or whose pid was reused by another process', () => {
  const path = join(dir.path, 'server.lock');
  writeFileSync(path, '999999999:1');
  expect(InstanceLock.acquire(path)).toBeInstanceOf(InstanceLock);
  writeFileSync(path, `${process.ppid}:1`); // alive, but started at a different time
  expect(InstanceLock.acquire(path)).toBeInstanceOf(InstanceLock);
});
