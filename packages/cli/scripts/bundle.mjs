#!/usr/bin/env node
// Bundles the built `chatml` command (dist/bin.js from tsc, with the server and protocol packages it
// imports) into one ES module, dist/bundle/chatml.js, which bin/chatml.js runs — so the backend too.
//
// Why: loaded as ~300 separate ES modules, the backend resolves and links every one at start-up,
// and that work alone left it ~8 MiB larger for as long as it ran (V8 optimised the loader's URL
// and CommonJS-lexer functions, and the heap kept what start-up touched). One module removes it
// (docs/PERFORMANCE.md, "Idle memory"). Comments and whitespace are stripped (V8 keeps a module's
// source text in its heap for the process's life: 822 KiB became 562 KiB, about 1 MiB less resident
// memory measured at idle), but nothing is renamed or rewritten, so stack traces keep every function
// name; the source map beside the bundle maps positions back to the packages' dist/ modules
// (`NODE_OPTIONS=--enable-source-maps`; off by default because loading the map costs memory too).
//
// Left outside the bundle, loaded from node_modules as before:
// - packages that find files beside their own code: @chatml/runner (the runner's entry path),
//   @chatml/web (the built UI), better-sqlite3 (its native addon), @chatml/testkit (the demo model);
// - what is loaded on first use only: @octokit/* (the GitHub client);
// - ws's optional native helpers, which are not installed.
import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..');
const input = join(cli, 'dist', 'bin.js');
const outDir = join(cli, 'dist', 'bundle');
const EXTERNAL =
  /^(better-sqlite3|bufferutil|utf-8-validate|@octokit\/[^/]+|@chatml\/(runner|web|testkit))(\/|$)/;

if (!existsSync(input)) {
  console.error(`bundle: ${input} is missing; run tsc -b packages/cli first.`);
  process.exit(1);
}
rmSync(outDir, { recursive: true, force: true });
/** One entry into one module `name` in outDir (shared code is copied, not split into chunks). */
function bundle(entry, name) {
  return build({
    input: entry,
    platform: 'node',
    external: (id) => EXTERNAL.test(id),
    logLevel: 'warn',
    output: {
      dir: outDir,
      format: 'esm',
      entryFileNames: name,
      sourcemap: true,
      minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
    },
  });
}

await bundle(input, 'chatml.js');
// The backend's event mover process (server's store/event-mover.ts), bundled on its own so the
// backend's bundle stays one module; the backend finds it beside itself by this name.
await bundle(fileURLToPath(import.meta.resolve('@chatml/server/event-mover')), 'event-mover.js');
const size = statSync(join(outDir, 'chatml.js')).size;
console.error(`[chatml] bundled the CLI and backend (${Math.round(size / 1024)} KiB) and the event mover`);
