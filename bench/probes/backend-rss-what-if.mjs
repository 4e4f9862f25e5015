#!/usr/bin/env node
// Probe behind the idle-rss findings: how much of the idle backend's memory two things cost.
//  - `import { RUNNER_MAIN_PATH } from '@chatml/runner'` in server.ts: the runner's index also
//    re-exports from runner.js, which loads the Claude Agent SDK, so the backend carries the SDK
//    although only runner processes use it.
//  - the WAL checkpoint worker thread (`new WalCheckpointer(…)`), a second V8 isolate.
// It starts the same idle backend (startServer, 0 sessions) from the built packages/server/dist and
// from throw-away copies of that dist with one or both of those lines replaced, and reads VmRSS
// (median of 12 samples over 3 s, after a 1 s settle), twice over.
//
//   node bench/probes/backend-rss-what-if.mjs
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTempDir } from '@chatml/testkit';
import { Child, onCleanup, printTable, readRssKiB, round, runBenchmark, sleep } from '../lib/util.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const serverDist = join(root, 'packages/server/dist');
const runnerMain = join(root, 'packages/runner/dist/main.js');

const PATCHES = {
  runnerImport: [
    "import { RUNNER_MAIN_PATH } from '@chatml/runner';",
    `const RUNNER_MAIN_PATH = ${JSON.stringify(runnerMain)};`,
  ],
  checkpointWorker: [
    'new WalCheckpointer(db, paths.database, logger)',
    '{ stop: async () => {} } /* bench what-if: no checkpoint worker */',
  ],
};

async function idleRss(indexUrl, home) {
  const script = `
    const { startServer, silentLogger } = await import(${JSON.stringify(indexUrl)});
    const server = await startServer({ home: ${JSON.stringify(home)}, port: 0, logger: silentLogger });
    console.log('ready');
    process.stdin.on('end', async () => { await server.close(); process.exit(0); });
    process.stdin.resume();`;
  const child = new Child(process.execPath, ['--input-type=module', '-e', script]);
  await child.waitForLine((line) => line === 'ready');
  await sleep(1000);
  const samples = [];
  for (let i = 0; i < 12; i++) {
    samples.push(readRssKiB(child.pid) / 1024);
    await sleep(250);
  }
  await child.stop({ signal: null });
  return samples.sort((a, b) => a - b)[6];
}

await runBenchmark('backend-rss-what-if', 90_000, async () => {
  const tmp = await makeTempDir('bench-rss-probe');
  onCleanup(() => tmp.cleanup());
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const original = readFileSync(join(serverDist, 'server.js'), 'utf8');
  /** A copy of the dist inside the repo (git-ignored bench/results/) so it resolves the same node_modules. */
  const variant = (name, patches) => {
    const copy = join(root, 'bench/results', `.server-dist-${name}-${process.pid}`);
    onCleanup(() => rmSync(copy, { recursive: true, force: true }));
    cpSync(serverDist, copy, { recursive: true });
    let source = original;
    for (const [from, to] of patches) {
      if (!source.includes(from)) return undefined;
      source = source.replace(from, to);
    }
    writeFileSync(join(copy, 'server.js'), source);
    return pathToFileURL(join(copy, 'index.js')).href;
  };
  const variants = [
    ['as built', pathToFileURL(join(serverDist, 'index.js')).href],
    ['without the @chatml/runner import', variant('no-runner', [PATCHES.runnerImport])],
    ['without the checkpoint worker', variant('no-worker', [PATCHES.checkpointWorker])],
    ['without both', variant('neither', [PATCHES.runnerImport, PATCHES.checkpointWorker])],
  ];
  const results = variants.map(([label, url]) => ({ label, url, rss: [] }));
  for (let pass = 0; pass < 2; pass++) {
    for (const [index, result] of results.entries()) {
      if (!result.url) continue; // that line is not in this build
      result.rss.push(await idleRss(result.url, join(tmp.path, `home-${pass}-${index}`)));
    }
  }
  const base = results[0].rss;
  const rows = results.map(({ label, url, rss }) =>
    url
      ? [label, ...rss.map((value) => round(value, 1)), ...rss.map((value, i) => round(value - base[i], 1))]
      : [label, 'n/a (line not found in this build)', '', '', ''],
  );
  printTable(['backend', 'pass 1 MiB', 'pass 2 MiB', 'vs as built 1', 'vs as built 2'], rows);
  console.log(JSON.stringify({ bench: 'backend-rss-what-if', rows }));
});
