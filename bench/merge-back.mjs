#!/usr/bin/env node
// Merge back of a 500-file change: POST /api/v1/sessions/:id/merge {strategy: "squash"} against a
// `chatml serve` child, versus raw git doing the same in the user's checkout
// (`git merge --squash <branch> && git commit`), interleaved in the same run on one repository
// (testkit createLargeRepo, 20,000 files, `main` checked out in the main checkout, so both update
// the files there). Every round merges a fresh branch that changes its own --changed files, so
// rounds never conflict; the ChatML side includes its checks (no agent turn running, session
// worktree clean, no sync in progress) and its event/record writes.
//
//   node bench/merge-back.mjs [--files 20000] [--changed 500] [--n 6]
//
// Preparing a round (creating the session and committing its change, or building the raw branch
// with plumbing) is not timed.
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
const options = numericArgs({ files: 20_000, changed: 500, n: 6 });
const IDENTITY = [
  '-c',
  'user.name=Bench',
  '-c',
  'user.email=bench@chatml.invalid',
  '-c',
  'commit.gpgsign=false',
];

function git(cwd, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...IDENTITY, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`git ${args.join(' ')} failed (${code}): ${stderr}`)),
    );
    // git may exit before reading stdin; its exit code says what happened.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** The files round `round` changes: its own slice of the repository, so no two rounds overlap. */
function roundFiles(roundIndex) {
  const stride = Math.floor(options.files / options.changed);
  return Array.from({ length: options.changed }, (_, k) => {
    const index = k * stride + (roundIndex % stride);
    return {
      path: `src/module-${Math.floor(index / 200)}/file-${index}.ts`,
      content: `export const merged${index} = ${roundIndex};\n`,
    };
  });
}

await runBenchmark('merge-back', 170_000, async () => {
  const tmp = await makeTempDir('bench-merge');
  onCleanup(() => tmp.cleanup());
  const home = join(tmp.path, 'home');
  const repo = await createLargeRepo(join(tmp.path, 'repo'), options.files);
  const backend = new Child(process.execPath, [BIN, 'serve', '--port', '0', '--log-level', 'warn'], {
    env: {
      ...process.env,
      CHATML_HOME: home,
      GIT_AUTHOR_NAME: 'Bench',
      GIT_AUTHOR_EMAIL: 'bench@chatml.invalid',
      GIT_COMMITTER_NAME: 'Bench',
      GIT_COMMITTER_EMAIL: 'bench@chatml.invalid',
    },
  });
  const ready = JSON.parse(await backend.waitForLine((line) => line.startsWith('{"chatml":"ready"')));
  const { token } = JSON.parse(readFileSync(join(home, 'server.json'), 'utf8'));
  const api = apiClient(ready.url, token);
  const workspace = await api('POST', '/workspaces', { path: repo.path });

  let roundIndex = 0;
  const prepare = {
    chatml: async () => {
      const session = await api('POST', `/workspaces/${workspace.id}/sessions`, {});
      for (const file of roundFiles(roundIndex++))
        await writeFile(join(session.worktreePath, file.path), file.content);
      await api('POST', `/sessions/${session.id}/commit`, { message: 'a 500-file change' });
      return () => api('POST', `/sessions/${session.id}/merge`, { strategy: 'squash' });
    },
    git: async () => {
      // The same kind of branch, built with plumbing in a throwaway index (not timed).
      const branch = `bench/raw-${roundIndex}`;
      const index = join(tmp.path, `index-${roundIndex}`);
      const env = { ...process.env, GIT_INDEX_FILE: index };
      const run = (args, input) =>
        new Promise((resolve, reject) => {
          const child = spawn('git', [...IDENTITY, ...args], {
            cwd: repo.path,
            env,
            stdio: ['pipe', 'pipe', 'pipe'],
          });
          let out = '';
          child.stdout.on('data', (chunk) => {
            out += chunk;
          });
          child.on('error', reject);
          child.on('close', (code) =>
            code === 0 ? resolve(out.trim()) : reject(new Error(`git ${args[0]} failed`)),
          );
          child.stdin.on('error', () => {});
          child.stdin.end(input ?? '');
        });
      await run(['read-tree', 'main']);
      const lines = [];
      for (const file of roundFiles(roundIndex++)) {
        const sha = await run(['hash-object', '-w', '--stdin'], file.content);
        lines.push(`100644 ${sha}\t${file.path}`);
      }
      await run(['update-index', '--index-info'], `${lines.join('\n')}\n`);
      const tree = await run(['write-tree']);
      const commit = await run(['commit-tree', '-p', 'main', '-m', 'a 500-file change', tree]);
      await run(['update-ref', `refs/heads/${branch}`, commit]);
      return async () => {
        await git(repo.path, ['merge', '--squash', '--quiet', branch]);
        await git(repo.path, ['commit', '--quiet', '-m', 'a 500-file change']);
      };
    },
  };
  const names = { chatml: 'ChatML POST /merge (squash)', git: 'git merge --squash && git commit' };
  const times = { chatml: [], git: [] };
  const round1 = async (kind, record) => {
    const merge = await prepare[kind]();
    const start = performance.now();
    await merge();
    if (record) times[kind].push(performance.now() - start);
  };
  await round1('chatml', false);
  await round1('git', false);
  for (let pass = 0; pass < options.n; pass++) {
    const order = pass % 2 === 0 ? ['chatml', 'git'] : ['git', 'chatml'];
    for (const kind of order) await round1(kind, true);
  }
  const status = await git(repo.path, ['status', '--porcelain']);
  if (status !== '') throw new Error(`the main checkout is not clean after the merges:\n${status}`);
  await backend.stop();

  const chatml = summarize(times.chatml);
  const raw = summarize(times.git);
  const ms = (value) => round(value, 1);
  console.log(
    `merge back of a ${options.changed}-file change into the checked-out main of a ${options.files}-file repository; ` +
      `N=${options.n} each after 1 warm-up, interleaved\n`,
  );
  printTable(
    ['variant', 'n', 'mean ms', 'median ms', 'min ms', 'max ms', 'x git (mean)', 'x git (median)'],
    [
      [
        names.chatml,
        chatml.n,
        ms(chatml.mean),
        ms(chatml.p50),
        ms(chatml.min),
        ms(chatml.max),
        round(chatml.mean / raw.mean, 2),
        round(chatml.p50 / raw.p50, 2),
      ],
      [names.git, raw.n, ms(raw.mean), ms(raw.p50), ms(raw.min), ms(raw.max), 1, 1],
    ],
  );
  const ratio = chatml.p50 / raw.p50;
  console.log(
    `\nChatML merge back vs raw git: ${round(chatml.mean / raw.mean, 2)}x mean, ${round(ratio, 2)}x median ` +
      `(target <= 1.3x: ${ratio <= 1.3 ? 'met' : 'MISSED'})`,
  );
  const pick = (s) => ({
    n: s.n,
    meanMs: ms(s.mean),
    medianMs: ms(s.p50),
    minMs: ms(s.min),
    maxMs: ms(s.max),
  });
  printResult('merge-back', {
    config: options,
    chatml: { ...pick(chatml), samplesMs: times.chatml.map(ms) },
    rawGit: { ...pick(raw), samplesMs: times.git.map(ms) },
    ratioMedian: round(ratio, 2),
    ratioMean: round(chatml.mean / raw.mean, 2),
  });
});
