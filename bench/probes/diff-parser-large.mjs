#!/usr/bin/env node
// Probe behind the streaming diff parser (packages/server/src/git/diff-parser.ts): how long one
// file's patch of N MB takes to parse when git's output arrives in 64 KiB pieces, as it does from
// `git diff`. Needs a built server (`npx tsc -b packages/server`).
//
//   node bench/probes/diff-parser-large.mjs [MB ...]     (default: 10 30 80)
import { DiffOutputParser } from '../../packages/server/dist/git/diff-parser.js';

const LINE = '+line of text for a big diff 0123456789\n';
for (const megabytes of process.argv
  .slice(2)
  .map(Number)
  .concat(process.argv.length > 2 ? [] : [10, 30, 80])) {
  const lines = Math.round((megabytes * 1e6) / LINE.length);
  const patch = `diff --git a/big.txt b/big.txt\nnew file mode 100644\n--- /dev/null\n+++ b/big.txt\n@@ -0,0 +1,${lines} @@\n${LINE.repeat(lines)}`;
  const output = `:000000 100644 0000000 1111111 A\0big.txt\0\0${patch}`;
  const started = performance.now();
  let files = 0;
  const parser = new DiffOutputParser(() => files++);
  for (let at = 0; at < output.length; at += 65_536) parser.push(output.slice(at, at + 65_536));
  parser.end();
  const ms = performance.now() - started;
  const rss = process.memoryUsage().rss / 1048576;
  console.log(`${megabytes} MB patch: ${ms.toFixed(0)} ms, ${files} file, RSS ${rss.toFixed(0)} MiB`);
}
