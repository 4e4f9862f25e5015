#!/usr/bin/env node
// Checked in (not built) so npm can link the `chatml` command at install time, before the first build.
// Runs the bundle (one module: see scripts/bundle.mjs), which `npm start`, `npm test` and
// `npm run build` make.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bundle/chatml.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('chatml is not built yet: run `npm start` or `npm run build` in the ChatML checkout first.');
  process.exit(1);
}
await import(entry.href);
