#!/usr/bin/env node
import { errorMessage, log } from './log.js';
import { EventWriter, readCommands } from './protocol-io.js';
import { Runner } from './runner.js';

/**
 * The agent runner: one process per active ChatML session, NDJSON commands on stdin, NDJSON events on
 * stdout, logs on stderr. The backend may name the session up front with `CHATML_SESSION_ID` (used
 * in the runner's own hello); otherwise the hello says `unknown` and the backend's hello names it.
 */
// Logs are best-effort: with the backend gone (killed), a log line hits a closed pipe, and that
// EPIPE must not end the runner before it has stopped its claude CLI.
process.stderr.on('error', () => {});

const writer = new EventWriter(process.stdout, process.env.CHATML_SESSION_ID || 'unknown');
const runner = new Runner(writer, process.env, (code) => process.exit(code));

runner.start();
readCommands(process.stdin, runner);

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => {
    runner.shutdown(signal).catch(() => process.exit(1));
  });
}

process.on('unhandledRejection', (reason) => {
  // Logged, not fatal: a stray rejected promise (e.g. a control request to a CLI that already
  // exited) must not take the session down.
  log(`unhandled rejection: ${errorMessage(reason)}`);
});
