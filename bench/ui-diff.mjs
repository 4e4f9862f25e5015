#!/usr/bin/env node
// UI diff viewer: first render of a 20,000-line diff, and frame times and long tasks while
// scrolling it, in real Chromium against the real backend (GET /sessions/:id/diff on a real worktree).
//
//   node bench/ui-diff.mjs [--lines 10000] [--runs 5] [--scroll-seconds 5]
//
// A temp repo has `a-small.ts` (10 lines) and `big.ts` (`--lines` lines of TypeScript); the
// session's worktree rewrites every line of big.ts, so its diff has 2 x `--lines` rows (one hunk,
// every old line removed and every new one added) plus the small file's change.
// - open: click "Changes" -> the first file's diff painted (backend git diff, ~1 MB of JSON, the
//   lazy viewer chunk, parse, render).
// - first paint: click big.ts in the file tree -> its first rows painted (parse + render; the
//   response is already loaded), `--runs` times alternating with the small file. Also the time
//   until the rows in view are syntax-highlighted.
// - scroll: the diff scrolled from top to bottom in `--scroll-seconds` by a requestAnimationFrame
//   loop (a fling every frame, the worst case: every frame shows all new rows), right after opening
//   it, so highlighting runs meanwhile; unified, then split. Frame intervals and long tasks
//   (PerformanceObserver 'longtask', > 50 ms) during the sweep.
// "Painted" = the first task after the rendering update that includes the rows (fixtures/ui-harness.mjs).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempRepo, makeTempDir } from '@chatml/testkit';
import { openBrowser, pageInstrumentation, sessionUrl, startBackend } from './fixtures/ui-harness.mjs';
import {
  numericArgs,
  onCleanup,
  printResult,
  printTable,
  round,
  runBenchmark,
  summarize,
} from './lib/util.mjs';

const options = numericArgs({ lines: 10_000, runs: 5, scrollSeconds: 5 });

function typescriptLines(count, variant) {
  const lines = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    // Every line names the variant, so rewriting the file changes every line.
    if (kind === 0) lines.push(`export function compute_${variant}${i}(input: number): number {`);
    else if (kind === 1)
      lines.push(`  const value = input * ${i} + ${variant.length}; // step ${variant}${i}`);
    else if (kind === 2) lines.push(`  return value > ${i} ? value : "${variant}-${i}".length;`);
    else lines.push(`} // ${variant}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Clicks `selector` in the page and resolves with ms until `readySelector` is in the DOM and painted. */
function timeToPaint(page, selector, readySelector) {
  return page.evaluate(
    ({ selector, readySelector }) =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        const check = () => {
          if (!document.querySelector(readySelector)) return false;
          observer.disconnect();
          window.__paint.after((at) => resolve(at - started));
          return true;
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
        const target = document.querySelector(selector);
        if (!target) reject(new Error(`nothing matches ${selector}`));
        target.click();
        setTimeout(() => reject(new Error(`${readySelector} did not appear`)), 30_000);
      }),
    { selector, readySelector },
  );
}

/** Polls until `selector` exists; resolves with ms since `since` (a page performance.now()). */
function timeUntil(page, selector, since) {
  return page.evaluate(
    ({ selector, since }) =>
      new Promise((resolve) => {
        const poll = () =>
          document.querySelector(selector) ? resolve(performance.now() - since) : setTimeout(poll, 5);
        poll();
      }),
    { selector, since },
  );
}

/** Scrolls `selector` top to bottom over `seconds`, one step per frame; frame intervals and long tasks. */
function sweep(page, selector, seconds) {
  return page.evaluate(
    ({ selector, seconds }) =>
      new Promise((resolve) => {
        const box = document.querySelector(selector);
        const distance = box.scrollHeight - box.clientHeight;
        const frames = [];
        const longTasksBefore = window.__longTasks.length;
        const started = performance.now();
        let last = started;
        const step = (now) => {
          frames.push(now - last);
          last = now;
          const progress = Math.min(1, (now - started) / (seconds * 1000));
          box.scrollTop = progress * distance;
          if (progress < 1) requestAnimationFrame(step);
          else
            setTimeout(() => {
              const longTasks = window.__longTasks
                .slice(longTasksBefore)
                .filter((task) => task.start >= started);
              resolve({
                frames: frames.slice(1),
                longTasks,
                distance,
                rowsInDom: box.querySelectorAll('.diff-row').length,
              });
            }, 100);
        };
        requestAnimationFrame((now) => {
          last = now;
          requestAnimationFrame(step);
        });
      }),
    { selector, seconds },
  );
}

await runBenchmark('ui-diff', 240_000, async () => {
  const tmp = await makeTempDir('bench-ui-diff');
  onCleanup(() => tmp.cleanup());
  const small = Array.from({ length: 10 }, (_, i) => `export const small${i} = ${i};`).join('\n');
  const repo = await createTempRepo({
    files: { 'a-small.ts': `${small}\n`, 'big.ts': typescriptLines(options.lines, 'old') },
  });
  onCleanup(() => repo.cleanup());
  const backend = await startBackend(tmp);
  const workspace = await backend.api('POST', '/workspaces', { path: repo.path });
  const session = await backend.api('POST', `/workspaces/${workspace.id}/sessions`, {});
  writeFileSync(join(session.worktreePath, 'a-small.ts'), `${small.replace('small3 = 3', 'small3 = 33')}\n`);
  writeFileSync(join(session.worktreePath, 'big.ts'), typescriptLines(options.lines, 'new'));
  const diff = await backend.api('GET', `/sessions/${session.id}/diff`);
  const big = diff.files.find((file) => file.path === 'big.ts');
  const diffRows = big.additions + big.deletions;

  const { page } = await openBrowser();
  await page.addInitScript(pageInstrumentation);
  await page.addInitScript(() => {
    localStorage.setItem('chatml.changesOpen', 'false');
    localStorage.setItem('chatml.diffMode', 'unified');
  });
  await page.goto(sessionUrl(backend, workspace.id, session.id));
  await page.getByTestId('changes-toggle').waitFor();

  const smallReady = '[data-testid="patch-view"][aria-label="Diff of a-small.ts"] .diff-row';
  const bigReady = '[data-testid="patch-view"][aria-label="Diff of big.ts"] .diff-row';
  const openMs = await timeToPaint(page, '[data-testid="changes-toggle"]', smallReady);

  const firstPaint = [];
  const firstColour = [];
  for (let run = 0; run < options.runs; run++) {
    const clickedAt = await page.evaluate(() => performance.now());
    firstPaint.push(await timeToPaint(page, '[data-testid="changes-file"][data-path="big.ts"]', bigReady));
    firstColour.push(await timeUntil(page, `${bigReady} .hl`, clickedAt));
    await timeToPaint(page, '[data-testid="changes-file"][data-path="a-small.ts"]', smallReady);
  }

  const scrolls = {};
  // BENCH_UI_PROFILE=<name> records the page's main thread during each sweep, in
  // <name>-unified.cpuprofile and <name>-split.cpuprofile.
  const profiler = process.env.BENCH_UI_PROFILE ? await page.context().newCDPSession(page) : undefined;
  for (const mode of ['unified', 'split']) {
    await page.getByRole('button', { name: mode === 'unified' ? 'Unified' : 'Split' }).click();
    await timeToPaint(page, '[data-testid="changes-file"][data-path="big.ts"]', bigReady);
    if (profiler) await profiler.send('Profiler.enable').then(() => profiler.send('Profiler.start'));
    scrolls[mode] = await sweep(page, '[data-testid="patch-view"]', options.scrollSeconds);
    if (profiler)
      writeFileSync(
        `${process.env.BENCH_UI_PROFILE.replace(/\.cpuprofile$/, '')}-${mode}.cpuprofile`,
        JSON.stringify((await profiler.send('Profiler.stop')).profile),
      );
    await timeToPaint(page, '[data-testid="changes-file"][data-path="a-small.ts"]', smallReady);
  }

  const paint = summarize(firstPaint);
  const colour = summarize(firstColour);
  console.log(`\nbig.ts: ${diffRows} diff lines (${big.deletions} removed, ${big.additions} added)\n`);
  printTable(
    ['measure', 'first run ms', 'median ms', 'max ms'],
    [
      ['open pane -> first diff painted', openMs, openMs, openMs],
      [`click -> ${diffRows}-line diff painted`, firstPaint[0], paint.p50, paint.max],
      ['click -> rows in view highlighted', firstColour[0], colour.p50, colour.max],
    ],
  );
  console.log('');
  const scrollRows = Object.entries(scrolls).map(([mode, result]) => {
    const frames = summarize(result.frames);
    const longest = result.longTasks.reduce((max, task) => Math.max(max, task.ms), 0);
    return {
      mode,
      frames: result.frames.length,
      frameP50: frames.p50,
      frameP99: frames.p99,
      frameMax: frames.max,
      slowFrames: result.frames.filter((ms) => ms > 20).length,
      longTasks: result.longTasks.length,
      longestTaskMs: longest,
      pixels: result.distance,
      rowsInDom: result.rowsInDom,
    };
  });
  printTable(
    [
      'scroll sweep',
      'frames',
      'p50 ms',
      'p99 ms',
      'max ms',
      'frames > 20 ms',
      'long tasks',
      'longest ms',
      'rows in DOM',
    ],
    scrollRows.map((row) => [
      row.mode,
      row.frames,
      row.frameP50,
      row.frameP99,
      row.frameMax,
      row.slowFrames,
      row.longTasks,
      row.longestTaskMs,
      row.rowsInDom,
    ]),
  );
  printResult('ui-diff', {
    options,
    diffRows,
    openMs: round(openMs),
    firstPaintMs: { first: round(firstPaint[0]), ...paint },
    highlightedInViewMs: { first: round(firstColour[0]), ...colour },
    scroll: scrollRows,
    targets: { firstPaintMs: 300, longTaskMs: 50 },
  });
});
