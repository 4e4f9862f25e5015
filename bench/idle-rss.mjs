#!/usr/bin/env node
// Backend idle memory: resident set (VmRSS) of a `chatml serve --port 0` process — with its child
// processes, i.e. the event mover while it runs — with 0 sessions and
// with 20 idle sessions (no prompt, so no runner starts), against a bare
// `node -e "setInterval(()=>{},1e3)"` measured in the same run.
//
//   node bench/idle-rss.mjs [--sessions 20] [--sample-seconds 3] [--settle-seconds 12]
//
// "Steady" is the median of samples taken every 250 ms over --sample-seconds. Each state is read
// twice: "soon", 1 s after it was reached, and "idle", --settle-seconds after it was reached — by
// then V8's memory reducer has run (about 8 s after the last burst of work it shrinks the heap), so
// this is what an idle backend holds for as long as it stays idle. The target is judged on "idle".
// A second pair of processes started with --expose-gc and a SIGUSR2 -> gc() hook
// (fixtures/gc-on-signal.mjs) shows the same figures right after a full GC; the main figures come
// from processes started exactly as users start them.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKEND_NODE_FLAGS } from '@chatml/cli';
import { createTempRepo, makeTempDir } from '@chatml/testkit';
import {
  apiClient,
  Child,
  numericArgs,
  onCleanup,
  printResult,
  printTable,
  readRssKiB,
  readTreeRssKiB,
  round,
  runBenchmark,
  sleep,
} from './lib/util.mjs';

const BIN = fileURLToPath(new URL('../packages/cli/bin/chatml.js', import.meta.url));
const GC_HOOK = fileURLToPath(new URL('./fixtures/gc-on-signal.mjs', import.meta.url));
const FLOOR = fileURLToPath(new URL('./fixtures/dependency-floor.mjs', import.meta.url));
const options = numericArgs({ sessions: 20, sampleSeconds: 3, settleSeconds: 12 });
const BARE_SCRIPT = 'setInterval(()=>{},1e3)';

/** Backends: their figure includes their child processes (the event mover while it runs). */
const backendPids = new Set();

/** Median VmRSS (MiB) of every pid, sampled together every 250 ms. */
async function steadyRss(pids, seconds = options.sampleSeconds) {
  const samples = pids.map(() => []);
  const count = Math.max(3, Math.round((seconds * 1000) / 250));
  for (let i = 0; i < count; i++) {
    for (const [index, pid] of pids.entries())
      samples[index].push((backendPids.has(pid) ? readTreeRssKiB(pid) : readRssKiB(pid)) / 1024);
    await sleep(250);
  }
  return samples.map((values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1) };
  });
}

async function startBackend(home, nodeArgs) {
  const env = { ...process.env, CHATML_HOME: home };
  const backend = new Child(
    process.execPath,
    // Started as the launcher starts it (`chatml start` adds BACKEND_NODE_FLAGS); bare node gets none.
    [...nodeArgs, ...BACKEND_NODE_FLAGS, BIN, 'serve', '--port', '0', '--log-level', 'warn'],
    {
      env,
    },
  );
  const ready = JSON.parse(await backend.waitForLine((line) => line.startsWith('{"chatml":"ready"')));
  const { readFileSync } = await import('node:fs');
  const info = JSON.parse(readFileSync(join(home, 'server.json'), 'utf8'));
  backendPids.add(ready.pid);
  return { backend, api: apiClient(ready.url, info.token), pid: ready.pid };
}

/** One pass: bare node and a backend started with `nodeArgs`; RSS at 0 and at N idle sessions. */
async function measure(label, tmp, repo, nodeArgs, withGc) {
  const bare = new Child(process.execPath, [...nodeArgs, '-e', BARE_SCRIPT]);
  const floor = new Child(process.execPath, [...nodeArgs, ...BACKEND_NODE_FLAGS, FLOOR, tmp.path]);
  await floor.waitForLine((line) => line === 'ready');
  const { backend, api, pid } = await startBackend(join(tmp.path, `home-${label}`), nodeArgs);
  const gc = async () => {
    if (!withGc) return undefined;
    bare.child.kill('SIGUSR2');
    backend.child.kill('SIGUSR2');
    await sleep(500);
    return steadyRss([bare.pid, pid], 1);
  };
  // Read "soon" (1 s after the state was reached) and, without a gc hook, again once idle.
  const soonAndIdle = async (pids) => {
    const reachedAt = Date.now();
    await sleep(1000);
    const soon = await steadyRss(pids);
    if (withGc) return { soon, idle: soon };
    await sleep(Math.max(0, options.settleSeconds * 1000 - (Date.now() - reachedAt)));
    return { soon, idle: await steadyRss(pids) };
  };
  const at0 = await soonAndIdle([bare.pid, pid, floor.pid]);
  const [bare0, backend0, floor0] = at0.idle;
  const soon0 = at0.soon[1];
  await floor.stop();
  const afterGc0 = await gc();

  const workspace = await api('POST', '/workspaces', { path: repo.path });
  for (let i = 0; i < options.sessions; i++) await api('POST', `/workspaces/${workspace.id}/sessions`, {});
  const listed = await api('GET', `/workspaces/${workspace.id}/sessions`);
  const sessions = listed.sessions ?? listed;
  const idle = sessions.filter((session) => session.status === 'idle').length;
  const atN = await soonAndIdle([bare.pid, pid]);
  const [bareN, backendN] = atN.idle;
  const soonN = atN.soon[1];
  const afterGcN = await gc();
  await backend.stop();
  await bare.stop();
  return { bare0, backend0, floor0, soon0, afterGc0, bareN, backendN, soonN, afterGcN, idle };
}

await runBenchmark('idle-rss', 150_000, async () => {
  const tmp = await makeTempDir('bench-rss');
  onCleanup(() => tmp.cleanup());
  const repo = await createTempRepo({ files: { 'README.md': '# bench\n', 'src/a.ts': 'export {};\n' } });
  onCleanup(() => repo.cleanup());

  const plain = await measure('plain', tmp, repo, [], false);
  const gc = await measure('gc', tmp, repo, ['--expose-gc', '--import', GC_HOOK], true);
  if (plain.idle !== options.sessions)
    console.error(`[idle-rss] only ${plain.idle} of ${options.sessions} sessions were idle`);

  const mib = (value) => round(value, 1);
  const ratio = (a, b) => round(a / b, 2);
  const n = options.sessions;
  console.log(
    `idle RSS (VmRSS, MiB; median of ${options.sampleSeconds} s of samples; idle = ${options.settleSeconds} s after the state was reached, soon = 1 s after)\n`,
  );
  printTable(
    ['process', 'idle', 'min', 'max', 'x bare node', 'soon', 'after gc()', 'x bare (gc)'],
    [
      ['bare node', plain.bare0.median, plain.bare0.min, plain.bare0.max, 1, '', gc.afterGc0[0].median, 1],
      [
        'dependency floor (no ChatML code)',
        plain.floor0.median,
        plain.floor0.min,
        plain.floor0.max,
        ratio(plain.floor0.median, plain.bare0.median),
        '',
        '',
        '',
      ],
      [
        'chatml serve, 0 sessions',
        plain.backend0.median,
        plain.backend0.min,
        plain.backend0.max,
        ratio(plain.backend0.median, plain.bare0.median),
        plain.soon0.median,
        gc.afterGc0[1].median,
        ratio(gc.afterGc0[1].median, gc.afterGc0[0].median),
      ],
      [
        `chatml serve, ${n} idle sessions`,
        plain.backendN.median,
        plain.backendN.min,
        plain.backendN.max,
        ratio(plain.backendN.median, plain.bareN.median),
        plain.soonN.median,
        gc.afterGcN[1].median,
        ratio(gc.afterGcN[1].median, gc.afterGcN[0].median),
      ],
    ].map((row) => row.map((cell) => (typeof cell === 'number' ? mib(cell) : cell))),
  );
  const ratio0 = plain.backend0.median / plain.bare0.median;
  const ratioN = plain.backendN.median / plain.bareN.median;
  console.log(
    `\ntarget <= 1.6x bare node: 0 sessions ${ratio(ratio0, 1)}x (${ratio0 <= 1.6 ? 'met' : 'MISSED'}), ` +
      `${n} idle sessions ${ratio(ratioN, 1)}x (${ratioN <= 1.6 ? 'met' : 'MISSED'}); ` +
      `${n} sessions cost ${mib(plain.backendN.median - plain.backend0.median)} MiB ` +
      `(${mib(gc.afterGcN[1].median - gc.afterGc0[1].median)} MiB after gc)`,
  );
  const pick = (value) => ({ medianMiB: mib(value.median), minMiB: mib(value.min), maxMiB: mib(value.max) });
  printResult('idle-rss', {
    config: options,
    bareNode: pick(plain.bare0),
    bareNodeLater: pick(plain.bareN),
    dependencyFloor: pick(plain.floor0),
    backend0: pick(plain.backend0),
    backendIdleSessions: pick(plain.backendN),
    soon: { backend0MiB: mib(plain.soon0.median), backendIdleSessionsMiB: mib(plain.soonN.median) },
    ratio0: ratio(ratio0, 1),
    ratioIdleSessions: ratio(ratioN, 1),
    afterGc: {
      bareNodeMiB: mib(gc.afterGc0[0].median),
      backend0MiB: mib(gc.afterGc0[1].median),
      backendIdleSessionsMiB: mib(gc.afterGcN[1].median),
      ratio0: ratio(gc.afterGc0[1].median, gc.afterGc0[0].median),
      ratioIdleSessions: ratio(gc.afterGcN[1].median, gc.afterGcN[0].median),
    },
    idleSessions: plain.idle,
    target: { maxRatio: 1.6 },
    met: ratio0 <= 1.6 && ratioN <= 1.6,
  });
});
