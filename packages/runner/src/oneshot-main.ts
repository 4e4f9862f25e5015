#!/usr/bin/env node
import { OneShotRequest, type OneShotResult } from '@chatml/protocol';
import { ClaudeProcess } from './claude-process.js';
import { errorMessage, log } from './log.js';
import { runOneShot } from './oneshot.js';

/**
 * The one-shot entry: reads one JSON `OneShotRequest` from stdin (until EOF), makes one model call
 * with no tools (`oneshot.ts`), writes one JSON `OneShotResult` line to stdout and exits (0, or 1
 * when the request was unreadable). Logs go to stderr. A signal stops the `claude` child first.
 */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
// Logs are best-effort: a closed stderr (the backend is gone) must not end this before its CLI.
process.stderr.on('error', () => {});
const claude = new ClaudeProcess();

function finish(result: OneShotResult, code: number): void {
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(code));
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return finish({ ok: false, error: 'request too large' }, 1);
    chunks.push(chunk as Buffer);
  }
  let request: OneShotRequest;
  try {
    request = OneShotRequest.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
  } catch (error) {
    return finish({ ok: false, error: `bad request: ${errorMessage(error)}` }, 1);
  }
  finish(await runOneShot(request, process.env, claude), 0);
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => {
    log(`one-shot stopped by ${signal}`);
    claude.killNow();
    process.exit(1);
  });
}

main().catch((error: unknown) => finish({ ok: false, error: errorMessage(error) }, 1));
