#!/usr/bin/env node
// Runs every benchmark in sequence (`npm run bench`), echoing their output, then prints a summary
// and writes all JSON results to bench/results/latest.json (git-ignored).
//
//   node bench/run-all.mjs [hub-latency idle-rss session-create]
//
// session-create runs last: its clean-up deletes ~440,000 files, which makes file creation on an
// ext4 file system without a journal slow for the next few minutes.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printTable } from './lib/util.mjs';

const ALL = ['hub-latency', 'idle-rss', 'session-create'];
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL;
const HARD_LIMIT_MS = 180_000;

function run(name) {
  return new Promise((resolve) => {
    const path = fileURLToPath(new URL(`./${name}.mjs`, import.meta.url));
    const child = spawn(process.execPath, [path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = performance.now();
    let result;
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) {
        if (!line.startsWith('{"bench"')) continue;
        try {
          result = JSON.parse(line);
        } catch {}
      }
    });
    // Each benchmark bounds itself; this is the backstop (SIGTERM lets it clean up).
    const timer = setTimeout(() => child.kill('SIGTERM'), HARD_LIMIT_MS);
    const onSignal = () => child.kill('SIGTERM');
    process.once('SIGINT', onSignal);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      resolve({ name, code, signal, seconds: (performance.now() - started) / 1000, result });
    });
  });
}

const runs = [];
for (const name of chosen) {
  if (!ALL.includes(name)) {
    console.error(`unknown benchmark ${name}; choose from ${ALL.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== ${name} ${'='.repeat(60 - name.length)}`);
  runs.push(await run(name));
}

const verdict = (met) => (met === undefined ? '?' : met ? 'met' : 'MISSED');
const rows = runs.map(({ name, code, seconds, result: r }) => {
  const time = `${seconds.toFixed(0)} s`;
  if (!r) return [name, `failed (exit ${code})`, '', '', '', '', time];
  if (name === 'hub-latency')
    return [
      name,
      `p50 ${r.chatml.p50Ms} / p99 ${r.chatml.p99Ms} ms, lost ${r.chatml.lost}`,
      `p50 ${r.baseline.p50Ms} / p99 ${r.baseline.p99Ms} ms`,
      `+${r.overhead.p50Ms} / +${r.overhead.p99Ms} ms`,
      'p99 overhead < 2 ms, 0 lost',
      verdict(r.met),
      time,
    ];
  if (name === 'idle-rss')
    return [
      name,
      `${r.backend0.medianMiB} MiB (0) / ${r.backendIdleSessions.medianMiB} MiB (${r.config.sessions} idle)`,
      `${r.bareNode.medianMiB} MiB`,
      `${r.ratio0}x / ${r.ratioIdleSessions}x`,
      '<= 1.6x',
      verdict(r.met),
      time,
    ];
  return [
    name,
    `mean ${r.chatml.meanMs} / median ${r.chatml.medianMs} ms`,
    `mean ${r.plainGit.meanMs} / median ${r.plainGit.medianMs} ms`,
    `${r.ratioMean}x / ${r.ratioMedian}x`,
    '<= 1.3x',
    verdict(r.met),
    time,
  ];
});
console.log(`\n=== summary ${'='.repeat(53)}`);
printTable(['benchmark', 'ChatML', 'baseline', 'ratio / overhead', 'target', 'verdict', 'took'], rows);

const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}latest.json`, `${JSON.stringify(runs, null, 2)}\n`);
console.log(`\nresults: bench/results/latest.json`);
process.exitCode = runs.some((entry) => entry.code !== 0) ? 1 : 0;
