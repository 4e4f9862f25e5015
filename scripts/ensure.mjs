#!/usr/bin/env node
// Makes `npm start` and `npm test` work on a fresh clone: installs dependencies when the lockfile or
// any package manifest changed since the last install, then runs the (incremental) TypeScript build.
// Plain Node on purpose: it must run before anything is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampPath = join(root, 'node_modules', '.chatml-install-stamp');

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`ChatML needs Node.js 20.19 or newer; this is ${process.version}.`);
  process.exit(1);
}

function manifestHash() {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) {
    const path = join(root, file);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    const path = join(root, 'packages', pkg, 'package.json');
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n\`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

const wanted = manifestHash();
const installed = existsSync(stampPath) ? readFileSync(stampPath, 'utf8') : '';
if (wanted !== installed) {
  console.error('[chatml] installing dependencies (first run or manifests changed)…');
  run('npm', ['install', '--no-audit', '--no-fund']);
  writeFileSync(stampPath, wanted);
}
// Native addons are built for one Node ABI; `npm install` leaves them alone when the user switches
// Node versions (nvm, a CI leg on another Node), so rebuild them when the ABI changed.
const abiPath = join(root, 'node_modules', '.chatml-native-abi');
const abi = `${process.versions.modules}-${process.platform}-${process.arch}`;
if ((existsSync(abiPath) ? readFileSync(abiPath, 'utf8') : '') !== abi) {
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
    cwd: join(root, 'packages', 'server'),
    stdio: 'ignore',
  });
  if (probe.status !== 0) {
    console.error(`[chatml] rebuilding native modules for Node ${process.version}…`);
    run('npm', ['rebuild', 'better-sqlite3']);
  }
  writeFileSync(abiPath, abi);
}
run(process.execPath, [
  join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
  '-b',
  'packages/cli',
  'packages/testkit',
]);

// `chatml` runs as one bundled module (packages/cli/scripts/bundle.mjs): rebundle when the tsc output
// it is made from, or the installed dependencies, are newer than it.
const bundlePath = join(root, 'packages', 'cli', 'dist', 'bundle', 'chatml.js');
const bundledAt = existsSync(bundlePath) ? statSync(bundlePath).mtimeMs : 0;
const bundleInputs = [
  stampPath,
  join(root, 'packages', 'cli', 'scripts', 'bundle.mjs'),
  ...['cli', 'server', 'protocol'].map((pkg) => join(root, 'packages', pkg, 'dist')),
];
if (newestMtime(bundleInputs, join(root, 'packages', 'cli', 'dist', 'bundle')) > bundledAt)
  run(process.execPath, [join(root, 'packages', 'cli', 'scripts', 'bundle.mjs')]);

// The web UI is a Vite bundle, not part of the tsc build: rebuild it when any of its inputs is newer
// than the built index.html (the backend serves packages/web/dist).
const web = join(root, 'packages', 'web');
const builtAt = existsSync(join(web, 'dist', 'index.html'))
  ? statSync(join(web, 'dist', 'index.html')).mtimeMs
  : 0;
const webInputs = ['index.html', 'vite.config.ts', 'package.json', 'tsconfig.json', 'src'].map((name) =>
  join(web, name),
);
if (newestMtime(webInputs) > builtAt) run('npm', ['run', 'build', '--silent', '-w', '@chatml/web']);

/** The newest modification time under `paths`, not looking inside `skip`. */
function newestMtime(paths, skip) {
  let newest = 0;
  for (const path of paths) {
    if (path === skip || !existsSync(path)) continue;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      newest = Math.max(
        newest,
        newestMtime(
          readdirSync(path).map((name) => join(path, name)),
          skip,
        ),
      );
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  }
  return newest;
}
