#!/usr/bin/env node
// The session diff API on a large change: GET /api/v1/sessions/:id/diff against a `chatml serve`
// child, versus raw `git diff -M <merge-base>` in the same worktree, interleaved in the same run.
// The repository is testkit's createLargeRepo (20,000 files); the session rewrites --changed files
// with --lines new lines each (500 x 100 = 50,000 added lines, plus the 2,000 it replaces).
//
//   node bench/diff-api.mjs [--files 20000] [--changed 500] [--lines 100] [--n 10] [--page 100]
//
// Then a second phase with one untracked file in the worktree, which makes the API take its
// snapshot path (reported separately). Also timed (not part of the ratio): the first page of a paged diff (`?limit=--page`), which is
// what the UI asks for first. Both sides read all of git's output; the API also parses it, builds
// JSON and sends it over HTTP, and (unlike plain `git diff`) includes untracked files by diffing a
// throwaway index snapshot of the whole working tree (see docs/GIT.md).
//
// Before timing, `git status` runs once in the worktree, as the agent's own git does (Claude Code
// reads `git status` when it starts): it rewrites the index with fresh stat data. Without it,
// how many files a fresh checkout left "racily clean" (written in the index's own timestamp tick,
// so every diff must read them) decides the run: raw `git diff` took 130 to 290 ms from one run
// to the next on the same machine, depending only on that.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLargeRepo, makeTempDir } from '@chatml/testkit';
import {
  apiClient,
  Child,
  numericArgs,
  onCleanup,
  printResult,
  printTable,
  round,
  runBenchmark,
  summarize,
} from './lib/util.mjs';

const BIN = fileURLToPath(new URL('../packages/cli/bin/chatml.js', import.meta.url));
const options = numericArgs({ files: 20_000, changed: 500, lines: 100, n: 10, page: 100 });

/** Runs git, reads all of stdout (as the API must), resolves with its size in bytes. */
function gitOutput(cwd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      bytes += chunk.length;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(bytes) : reject(new Error(`git ${args.join(' ')} failed (${code}): ${stderr}`)),
    );
  });
}

await runBenchmark('diff-api', 170_000, async () => {
  const tmp = await makeTempDir('bench-diff');
  onCleanup(() => tmp.cleanup());
  const home = join(tmp.path, 'home');
  let started = performance.now();
  const repo = await createLargeRepo(join(tmp.path, 'repo'), options.files);
  const buildMs = performance.now() - started;

  const backend = new Child(process.execPath, [BIN, 'serve', '--port', '0', '--log-level', 'warn'], {
    env: { ...process.env, CHATML_HOME: home },
  });
  const ready = JSON.parse(await backend.waitForLine((line) => line.startsWith('{"chatml":"ready"')));
  const { token } = JSON.parse(readFileSync(join(home, 'server.json'), 'utf8'));
  const api = apiClient(ready.url, token);
  const workspace = await api('POST', '/workspaces', { path: repo.path });
  const session = await api('POST', `/workspaces/${workspace.id}/sessions`, { name: 'big-change' });

  // Rewrite every (files/changed)-th file, spread over the folders like a real refactor.
  const step = Math.max(1, Math.floor(options.files / options.changed));
  for (let k = 0; k < options.changed; k++) {
    const index = k * step;
    const folder = `src/module-${Math.floor(index / 200)}`;
    const body = Array.from(
      { length: options.lines },
      (_, line) => `export const v${index}_${line} = ${line};\n`,
    );
    await writeFile(join(session.worktreePath, folder, `file-${index}.ts`), body.join(''));
  }
  await gitOutput(session.worktreePath, ['status', '--porcelain']);
  const mergeBase = (
    await new Promise((resolve) => {
      const child = spawn('git', ['merge-base', 'HEAD', 'main'], { cwd: session.worktreePath });
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
      });
      child.on('close', () => resolve(out));
    })
  ).trim();

  let check;
  const variants = {
    'ChatML GET /diff': async () => {
      const diff = await api('GET', `/sessions/${session.id}/diff`);
      check = diff;
    },
    'git diff -M <merge-base>': () =>
      gitOutput(session.worktreePath, ['diff', '-M', '--no-color', mergeBase]),
    [`ChatML GET /diff?limit=${options.page}`]: () =>
      api('GET', `/sessions/${session.id}/diff?offset=0&limit=${options.page}`),
  };
  const names = Object.keys(variants);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  const time = async (name) => {
    const start = performance.now();
    await variants[name]();
    return performance.now() - start;
  };
  for (const name of names) await time(name); // warm-up: page cache, JIT, the index's stat data
  const additions = check.files.reduce((sum, file) => sum + file.additions, 0);
  const deletions = check.files.reduce((sum, file) => sum + file.deletions, 0);
  console.log(
    `diff of ${check.files.length} changed files (+${additions} -${deletions} lines) in a ${options.files}-file ` +
      `repository (built in ${round(buildMs / 1000, 1)} s); N=${options.n} per variant after 1 warm-up, interleaved\n`,
  );
  if (check.files.length !== options.changed)
    throw new Error(`expected ${options.changed} files in the diff`);
  started = performance.now();
  for (let pass = 0; pass < options.n; pass++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(pass + k) % names.length];
      times[name].push(await time(name));
    }
  }
  // Second phase: one untracked file makes the API diff a snapshot of the whole tree (git add --all
  // into a throwaway index, then diff --cached), the path that also catches untracked files.
  await writeFile(join(session.worktreePath, 'UNTRACKED-NOTES.md'), 'notes\n');
  const untrackedName = 'ChatML GET /diff, 1 untracked file';
  times[untrackedName] = [];
  times['git diff (untracked phase)'] = [];
  await api('GET', `/sessions/${session.id}/diff`);
  for (let pass = 0; pass < options.n; pass++) {
    const order =
      pass % 2 === 0
        ? [untrackedName, 'git diff (untracked phase)']
        : [untrackedName, 'git diff (untracked phase)'].reverse();
    for (const name of order) {
      const start = performance.now();
      if (name === untrackedName) await api('GET', `/sessions/${session.id}/diff`);
      else await gitOutput(session.worktreePath, ['diff', '-M', '--no-color', mergeBase]);
      times[name].push(performance.now() - start);
    }
  }
  names.push(untrackedName, 'git diff (untracked phase)');
  await backend.stop();

  const stats = Object.fromEntries(names.map((name) => [name, summarize(times[name])]));
  const git = stats['git diff -M <merge-base>'];
  const ms = (value) => round(value, 1);
  printTable(
    ['variant', 'n', 'mean ms', 'median ms', 'min ms', 'max ms', 'x git (mean)', 'x git (median)'],
    names.map((name) => [
      name,
      stats[name].n,
      ms(stats[name].mean),
      ms(stats[name].p50),
      ms(stats[name].min),
      ms(stats[name].max),
      round(stats[name].mean / git.mean, 2),
      round(stats[name].p50 / git.p50, 2),
    ]),
  );
  const full = stats['ChatML GET /diff'];
  const ratio = full.p50 / git.p50;
  console.log(
    `\nChatML full diff vs git diff: ${round(full.mean / git.mean, 2)}x mean, ${round(ratio, 2)}x median ` +
      `(target <= 1.5x: ${ratio <= 1.5 ? 'met' : 'MISSED'})`,
  );
  const pick = (s) => ({
    n: s.n,
    meanMs: ms(s.mean),
    medianMs: ms(s.p50),
    minMs: ms(s.min),
    maxMs: ms(s.max),
  });
  printResult('diff-api', {
    config: options,
    repoBuildSeconds: round(buildMs / 1000, 1),
    changedFiles: check.files.length,
    additions,
    deletions,
    chatmlFull: pick(full),
    chatmlFirstPage: pick(stats[`ChatML GET /diff?limit=${options.page}`]),
    gitDiff: pick(git),
    chatmlWithUntracked: pick(stats[untrackedName]),
    gitDiffUntrackedPhase: pick(stats['git diff (untracked phase)']),
    ratioMedian: round(ratio, 2),
    ratioMean: round(full.mean / git.mean, 2),
  });
});
