#!/usr/bin/env node
// Probe behind the idle-rss finding: the resident memory a fresh Node process reaches after
// importing each piece of the backend (a child process per line and run; RSS read 700 ms after the
// imports; median of 3 runs), so the backend's idle footprint can be split between its dependencies.
//
//   node bench/probes/import-rss.mjs
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { printTable, round } from '../lib/util.mjs';

const SERVER_DEPS = [
  '@chatml/protocol',
  'better-sqlite3',
  'hono',
  'hono/body-limit',
  '@hono/node-server',
  'ws',
  'unique-names-generator',
];
const CASES = [
  ['bare node (-e)', null],
  ['node:http', ['node:http']],
  ['zod', ['zod']],
  ['@chatml/protocol (zod schemas)', ['@chatml/protocol']],
  ['better-sqlite3', ['better-sqlite3']],
  ['@hono/node-server + hono', ['hono', '@hono/node-server']],
  ['ws', ['ws']],
  ['@anthropic-ai/claude-agent-sdk', ['@anthropic-ai/claude-agent-sdk']],
  ['@chatml/runner (index: RUNNER_MAIN_PATH)', ['@chatml/runner']],
  ["server's npm deps, without @chatml/runner", SERVER_DEPS],
  ["server's npm deps + @chatml/runner", [...SERVER_DEPS, '@chatml/runner']],
  ['@chatml/server', ['@chatml/server']],
];

const here = fileURLToPath(new URL('.', import.meta.url));
const measure = (modules) => {
  const script = modules ? `for (const m of ${JSON.stringify(modules)}) await import(m);` : '';
  const body = `${script} setTimeout(() => { const s = require('node:fs').readFileSync('/proc/self/status', 'utf8'); console.log(/VmRSS:\\s+(\\d+)/.exec(s)[1]); }, 700);`;
  // CommonJS eval (for `require`) with top-level await wrapped in an async IIFE.
  const source = `(async () => { ${body} })()`;
  return (
    Number(execFileSync(process.execPath, ['-e', source], { cwd: here, encoding: 'utf8', timeout: 20_000 })) /
    1024
  );
};

const median3 = (modules) => [measure(modules), measure(modules), measure(modules)].sort((a, b) => a - b)[1];
const bare = median3(null);
const rows = CASES.map(([label, modules]) => {
  const rss = modules ? median3(modules) : bare;
  return [label, round(rss, 1), round(rss - bare, 1)];
});
printTable(['imported', 'RSS MiB', '+ over bare node'], rows);
console.log(JSON.stringify({ bench: 'import-rss', rows }));
