import { join } from 'node:path';
import { makeTempDir } from '@chatml/testkit';
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
