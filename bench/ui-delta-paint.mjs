#!/usr/bin/env node
// UI delta paint: time from a streamed delta arriving on the page's WebSocket to the frame that
// shows it, in real Chromium, while `--sessions` sessions stream at `--rate` deltas/s each through
// the real backend (the page shows one of them). Baseline in the same run: a bare page that
// appends each delta's text to a <pre> straight from its WebSocket's onmessage.
//
//   node bench/ui-delta-paint.mjs [--sessions 10] [--rate 100] [--seconds 8] [--warmup 1]
//
// Needs the built UI (npm run build -w @chatml/web) and /usr/bin/chromium (CHROMIUM_PATH).
// Agents are bench/fixtures/ui-prose-runner.mjs: delta i's text is ` w<i> lorem`, paragraphs of 40
// deltas, so the page can tell which delta arrived (from the frame) and which is on screen (from
// the text's tail).
// Arrival: a `message` listener added by an init script before the app's own handler. Painted:
// the first task after the rendering update that includes the mutation which put the delta in the
// DOM (see `pageInstrumentation` in fixtures/ui-harness.mjs). The headline is arrival -> painted,
// what a user sees. Also printed, "vsync->paint": painted minus that frame's begin time, i.e.
// without the wait for the next vsync (0-16.7 ms at 60 Hz) that no page can avoid: how long after
// its frame began the page had the frame painted (its rendering work, and any task it first
// had to finish).
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createTempRepo, makeTempDir } from '@chatml/testkit';
import WebSocket, { WebSocketServer } from 'ws';
import { openBrowser, pageInstrumentation, sessionUrl, startBackend } from './fixtures/ui-harness.mjs';
import {
  numericArgs,
  onCleanup,
  printResult,
  printTable,
  round,
  runBenchmark,
  sleep,
  summarize,
} from './lib/util.mjs';

const options = numericArgs({ sessions: 10, rate: 100, seconds: 8, warmup: 1 });
const COUNT = Math.round(options.rate * (options.seconds + options.warmup));
const WARMUP_COUNT = Math.round(options.rate * options.warmup);

/** Installed in the page before its scripts: records arrival and paint time of every delta. */
const deltaProbe = ({ sessionId, textSelector }) => {
  const arrivals = new Map();
  const painted = new Map();
  const frames = new Map();
  const pending = [];
  const tail = /w(\d+) lorem\s*$/;
  window.__probe = {
    arrivals,
    painted,
    frames,
    reset: () => {
      arrivals.clear();
      painted.clear();
      frames.clear();
      pending.length = 0;
    },
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (message) => {
        const now = performance.now();
        const data = message.data;
        if (typeof data !== 'string' || !data.includes(sessionId) || !data.includes('stream_delta')) return;
        // Every delta in the frame: the backend may coalesce several of one block into one event.
        for (const match of data.matchAll(/ w(\d+) lorem/g)) {
          const index = Number(match[1]);
          if (!arrivals.has(index)) {
            arrivals.set(index, now);
            pending.push(index);
          }
        }
      });
    }
  };
  new MutationObserver(() => {
    if (pending.length === 0) return;
    const nodes = document.querySelectorAll(textSelector);
    const text = nodes[nodes.length - 1]?.textContent ?? '';
    const shown = tail.exec(text);
    if (!shown) return;
    const maxShown = Number(shown[1]);
    const nowShown = [];
    for (let i = pending.length - 1; i >= 0; i--) {
      if (pending[i] <= maxShown) nowShown.push(...pending.splice(i, 1));
    }
    if (nowShown.length > 0)
      window.__paint.after((at, frameTime) => {
        for (const index of nowShown) {
          painted.set(index, at);
          frames.set(index, frameTime);
        }
      });
  }).observe(document, { subtree: true, childList: true, characterData: true });
};

const barePage = (relayPort) => `<!doctype html><meta charset="utf-8"><title>baseline</title>
<pre id="out" style="white-space:pre-wrap;word-break:break-all"></pre>
<script>
const out = document.getElementById('out');
const socket = new WebSocket('ws://127.0.0.1:${relayPort}');
socket.onmessage = (message) => {
  const frame = JSON.parse(message.data);
  const events = frame.type === 'event' ? [frame.event] : frame.type === 'events' ? frame.events : [];
  for (const event of events)
    if (event.type === 'stream_delta' && event.payload.kind === 'text') out.append(event.payload.text);
};
</script>`;

/**
 * Starts every session's stream once all are up, session i offset by i/sessions of a delta period
 * (independent model streams are not in step; bench/hub-latency.mjs does the same); resolves when
 * the shown one is fully painted.
 */
async function streamAll(backend, sessions, page) {
  await page.evaluate(() => {
    window.__probe.reset();
    window.__longTasks.length = 0;
  });
  const startAt = performance.timeOrigin + performance.now() + 1500;
  await Promise.all(
    sessions.map((session, i) =>
      backend.api('POST', `/sessions/${session.id}/messages`, {
        text: `rate ${options.rate} ${COUNT} ${(startAt + (i * 1000) / options.rate / sessions.length).toFixed(3)}`,
      }),
    ),
  );
  const deadline = Date.now() + (options.seconds + options.warmup) * 1000 + 60_000;
  for (;;) {
    const painted = await page.evaluate(() => window.__probe.painted.size);
    if (painted >= COUNT) break;
    if (Date.now() > deadline) throw new Error(`only ${painted} of ${COUNT} deltas were painted`);
    await sleep(250);
  }
  // Let every runner finish its turn before the next phase starts.
  await sleep(500);
  return page.evaluate(
    ({ warmup }) => {
      const latencies = [];
      const afterVsync = [];
      for (const [index, arrived] of window.__probe.arrivals) {
        const paintedAt = window.__probe.painted.get(index);
        if (index < warmup || paintedAt === undefined) continue;
        latencies.push(paintedAt - arrived);
        afterVsync.push(paintedAt - window.__probe.frames.get(index));
      }
      return {
        latencies,
        afterVsync,
        longTasks: window.__longTasks.slice(),
        missing: window.__probe.arrivals.size - window.__probe.painted.size,
      };
    },
    { warmup: WARMUP_COUNT },
  );
}

/**
 * Serves the bare page and relays one session's frames to it: a page on another origin cannot
 * open the backend's WebSocket (its Origin check refuses it), so this forwards them as they come.
 */
async function startRelay(backend, sessionId) {
  const http = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(barePage(http.address().port));
  });
  const wss = new WebSocketServer({ server: http });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  onCleanup(() => {
    // The bare page is still connected here (the browser closes later): http.close() waits for
    // every socket, so end the relayed ones first or the benchmark never exits.
    for (const client of wss.clients) client.terminate();
    wss.close();
    return new Promise((resolve) => http.close(() => resolve()));
  });
  wss.on('connection', (client) => {
    const upstream = new WebSocket(`ws://127.0.0.1:${backend.port}/ws`, {
      headers: { authorization: `Bearer ${backend.token}` },
    });
    upstream.on('open', async () => {
      const { lastSeq } = await backend.api('GET', `/sessions/${sessionId}/events?after=0&limit=1`);
      upstream.send(JSON.stringify({ type: 'subscribe', sessionId, afterSeq: lastSeq }));
    });
    upstream.on('message', (data) => client.send(data.toString()));
    client.on('close', () => upstream.terminate());
  });
  return http.address().port;
}

function describe(name, result) {
  const stats = summarize(result.latencies);
  const afterVsync = summarize(result.afterVsync);
  const longest = result.longTasks.reduce((max, task) => Math.max(max, task.ms), 0);
  return {
    name,
    ...stats,
    vsyncToPaintP50: afterVsync.p50,
    vsyncToPaintP99: afterVsync.p99,
    longTasks: result.longTasks.length,
    longestTaskMs: longest,
    missing: result.missing,
  };
}

await runBenchmark('ui-delta-paint', 240_000, async () => {
  const tmp = await makeTempDir('bench-ui-delta');
  onCleanup(() => tmp.cleanup());
  const repo = await createTempRepo({ files: { 'README.md': '# bench\n' } });
  onCleanup(() => repo.cleanup());
  const backend = await startBackend(tmp, {
    maxConcurrentTurns: options.sessions,
    runner: 'ui-prose-runner.mjs',
  });
  const workspace = await backend.api('POST', '/workspaces', { path: repo.path });
  const sessions = [];
  for (let i = 0; i < options.sessions; i++)
    sessions.push(await backend.api('POST', `/workspaces/${workspace.id}/sessions`, {}));
  const shown = sessions[0];
  const { browser, page } = await openBrowser();
  await page.addInitScript(pageInstrumentation);

  // ChatML first (it replays the session from seq 0, so its history must be empty), then the bare page.
  await page.addInitScript(deltaProbe, {
    sessionId: shown.id,
    textSelector: '[data-testid="assistant-message"]',
  });
  await page.goto(sessionUrl(backend, workspace.id, shown.id));
  await page.getByTestId('composer-input').waitFor();
  // BENCH_UI_PROFILE=<file.cpuprofile> records the page's main thread during the ChatML phase.
  const profiler = process.env.BENCH_UI_PROFILE ? await page.context().newCDPSession(page) : undefined;
  if (profiler) await profiler.send('Profiler.enable').then(() => profiler.send('Profiler.start'));
  const chatml = await streamAll(backend, sessions, page);
  if (profiler) {
    const { profile } = await profiler.send('Profiler.stop');
    writeFileSync(process.env.BENCH_UI_PROFILE, JSON.stringify(profile));
  }

  const relayPort = await startRelay(backend, shown.id);
  const bare = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await bare.addInitScript(pageInstrumentation);
  await bare.addInitScript(deltaProbe, { sessionId: shown.id, textSelector: '#out' });
  await page.close();
  await bare.goto(`http://127.0.0.1:${relayPort}/`);
  await bare.waitForFunction(() => document.getElementById('out') !== null);
  await sleep(500);
  const baseline = await streamAll(backend, sessions, bare);

  const rows = [describe('bare page (baseline)', baseline), describe('ChatML UI', chatml)];
  console.log(
    `\n${options.sessions} sessions x ${options.rate} deltas/s, ${options.seconds} s measured after ${options.warmup} s warm-up; one session on screen\n`,
  );
  printTable(
    [
      'page',
      'n',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'vsync->paint p50',
      'p99',
      'long tasks',
      'longest ms',
      'unpainted',
    ],
    rows.map((row) => [
      row.name,
      row.n,
      row.p50,
      row.p90,
      row.p99,
      row.max,
      row.vsyncToPaintP50,
      row.vsyncToPaintP99,
      row.longTasks,
      row.longestTaskMs,
      row.missing,
    ]),
  );
  printResult('ui-delta-paint', {
    options,
    baseline: rows[0],
    chatml: rows[1],
    p99OverheadMs: round(rows[1].p99 - rows[0].p99),
    targetP99Ms: 16,
  });
});
