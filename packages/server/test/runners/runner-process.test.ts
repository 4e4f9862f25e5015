import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '@chatml/protocol';
import { makeTempDir, waitUntil } from '@chatml/testkit';
import { expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { type RunnerExit, RunnerProcess } from '../../src/runners/runner-process.js';

it('reports a runner that could not even start as exited, so its turn can end', async () => {
  const dir = await makeTempDir('runner-process');
  try {
    const exits: RunnerExit[] = [];
    const runner = new RunnerProcess({
      sessionId: 'ses_x',
      config: { cwd: join(dir.path, 'missing-worktree'), permissionMode: 'default', settingSources: [] },
      mainPath: '/nonexistent/main.js',
      env: { PATH: process.env.PATH },
      logPath: join(dir.path, 'runner.log'),
      logger: silentLogger,
      onEvent: () => {},
      onExit: (exit) => exits.push(exit),
    });
    const exit = await runner.waitForExit();
    expect(exit.startError).toMatch(/ENOENT/);
    expect(exits).toEqual([exit]);
    expect(runner.isAlive).toBe(false);
    await expect(runner.stop()).resolves.toEqual(exit);
  } finally {
    await dir.cleanup();
  }
});

it('starts the runner, and every process it starts later, at the requested niceness (and its scheduling group too)', async () => {
  const dir = await makeTempDir('runner-nice');
  const childPidFile = join(dir.path, 'child.pid');
  // After the backend's hello (as the real runner does before starting the CLI), start a child.
  const mainPath = join(dir.path, 'nice-runner.mjs');
  writeFileSync(
    mainPath,
    `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
process.stdout.write(JSON.stringify({ type: 'hello', session: 'ses_nice', protocolVersion: ${PROTOCOL_VERSION}, runnerVersion: 'test', pid: process.pid }) + '\\n');
process.stdin.once('data', () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  writeFileSync(process.env.CHILD_PID_FILE, String(child.pid));
});
process.stdin.on('end', () => process.exit(0));
`,
  );
  const runner = new RunnerProcess({
    sessionId: 'ses_nice',
    config: { cwd: dir.path, permissionMode: 'default', settingSources: [] },
    mainPath,
    env: { PATH: process.env.PATH, CHILD_PID_FILE: childPidFile },
    logPath: join(dir.path, 'runner.log'),
    logger: silentLogger,
    onEvent: () => {},
    onExit: () => {},
    niceness: 7,
  });
  try {
    await waitUntil(() => existsSync(childPidFile) && readFileSync(childPidFile, 'utf8') !== '', {
      what: 'the runner to start its child',
    });
    const childPid = Number(readFileSync(childPidFile, 'utf8'));
    expect(getPriority(runner.pid)).toBe(7);
    expect(getPriority(childPid)).toBe(7);
    expect(getPriority(process.pid)).toBe(0);
    if (existsSync('/proc/self/autogroup')) {
      // Linux autogroups: the runner's session is its own scheduling group, and the group's nice is
      // what weighs it against the backend (util/child-priority.ts).
      const groupNice = (pid: number | string) => readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim();
      await waitUntil(() => groupNice(runner.pid as number).endsWith('nice 7'), {
        what: "the runner's scheduling group at nice 7",
      });
      expect(groupNice(childPid)).toBe(groupNice(runner.pid as number));
      expect(groupNice('self')).not.toContain('nice 7');
    }
  } finally {
    await runner.stop();
    await dir.cleanup();
  }
});
