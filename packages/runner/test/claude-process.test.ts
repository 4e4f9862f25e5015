import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ClaudeProcess } from '../src/claude-process.js';

describe('ClaudeProcess', () => {
  it('remembers the last line the CLI wrote on stderr, for an exit that explains nothing', async () => {
    const claude = new ClaudeProcess();
    const script = [
      "console.error('starting');",
      "console.error('--dangerously-skip-permissions cannot be used with root/sudo privileges\\n');",
      'process.exit(1);',
    ].join(' ');
    const child = claude.spawn({
      command: process.execPath,
      args: ['-e', script],
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '' },
      signal: new AbortController().signal,
    }) as unknown as NodeJS.EventEmitter & { stderr: NodeJS.ReadableStream };
    await Promise.all([once(child, 'exit'), once(child.stderr, 'end')]);
    expect(claude.lastStderrLine).toBe(
      '--dangerously-skip-permissions cannot be used with root/sudo privileges',
    );
    expect(claude.isRunning).toBe(false);
  });
});
