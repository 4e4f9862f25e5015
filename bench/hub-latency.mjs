#!/usr/bin/env node
// Hub latency: runner stdout line -> WebSocket client receive, through the real ChatML backend
// (runner process supervision, NDJSON parse + zod validation, SQLite append, hub fan-out, ws), and
// through a bare stdin->WebSocket relay with the same runners and the same load, in the same run.
//
//   node bench/hub-latency.mjs [--sessions 20] [--rate 200] [--seconds 10] [--warmup 1] [--pad 0]
//                              [--rounds 3] [--aligned 0] [--idle-seconds 12] [--runner-nice N] [--runner-sched-idle 0|1] [--stalls 0|1]
//
// On a small machine one run's p99 swings by tens of ms between identical runs (the relay's own:
// 18 to 68 ms back to back), so the bench runs `--rounds` rounds, alternating which path goes
// first, and judges the overhead on the percentiles of all rounds' samples pooled; every round is
// printed too. Each session's first delta is offset by i/sessions of a delta period, as
// independent model streams would be; `--aligned 1` starts all in the same instant instead (every
// runner then wakes in the same millisecond, the worst case for the scheduler).
//
// Each session's runner (bench/fixtures/rate-runner.mjs) stamps every delta with its send time
// (CLOCK_MONOTONIC via process.hrtime, one clock for every process on the machine); one WS client per
// session records receive time - send time. The first `--warmup` seconds of every stream are left
// out of the percentiles (JIT, process start-up) but still checked for loss. Loss: every delta
// index must arrive exactly once, and for ChatML every hub seq of the session exactly once, in order.
// Both backends run in child processes; the clients run here, so client cost is the same for both.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION } from '@chatml/protocol';
import { createTempRepo, makeTempDir } from '@chatml/testkit';
import WebSocket from 'ws';
import { startServerChild } from './lib/server-child.mjs';
import {
  Child,
  machineCpuPercent,
  machineCpuTicks,
  machineNow,
  numericArgs,
  onCleanup,
  printResult,
  printTable,
  readRssKiB,
  reapStragglers,
  round,
  runBenchmark,
  sleep,
  summarize,
} from './lib/util.mjs';

const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const RUNNER = fixture('rate-runner.mjs');
const options = numericArgs({
  sessions: 20,
  rate: 200,
  seconds: 10,
  warmup: 1,
  pad: 0,
  idleSeconds: 12,
  runnerNice: -1,
  runnerSchedIdle: 0,
  aligned: 0,
  rounds: 3,
  stalls: 0,
});
// The stall monitor is a diagnostic of the backend's alone: off unless asked for, so both paths
// carry the same instrumentation in the headline figures.
if (options.stalls) process.env.BENCH_STALLS = '1';
const COUNT = Math.round(options.rate * (options.seconds + options.warmup));
const WARMUP_COUNT = Math.round(options.rate * options.warmup);
/** Runners start emitting at a common instant this far after the turn is sent (all must be up). */
const START_DELAY_MS = 4000;

/** Per-session receive bookkeeping shared by both phases. */
class Collector {
  constructor(label, sessionKeys) {
    this.label = label;
    this.latencies = [];
    this.perSession = new Map(
      sessionKeys.map((key) => [
        key,
        { seen: new Uint8Array(COUNT), duplicates: 0, outOfOrder: 0, lastIndex: -1, done: false },
      ]),
    );
    this.runnerPids = new Set();
    this.deltaEvents = 0;
    this.firstSend = Number.POSITIVE_INFINITY;
    this.lastReceive = 0;
    this.window = null;
  }

  /** The measured window starts: remember machine and client (this process) CPU counters. */
  markWindow() {
    this.window = { machine: machineCpuTicks(), client: process.cpuUsage(), wall: performance.now() };
  }

  closeWindow() {
    if (!this.window) return;
    const wallMs = performance.now() - this.window.wall;
    const client = process.cpuUsage(this.window.client);
    this.windowResult = {
      machineCpuPercentOfOneCore: machineCpuPercent(this.window.machine, machineCpuTicks()),
      clientCpuPercentOfOneCore: ((client.user + client.system) / 1000 / wallMs) * 100,
    };
  }

  /** One received delta event: one runner line's text, or several a backend coalesced (`;`-ended). */
  delta(key, text, receivedAt) {
    this.deltaEvents += 1;
    for (const piece of text.split(';')) if (piece) this.deltaLine(key, piece, receivedAt);
  }

  deltaLine(key, text, receivedAt) {
    const at = text.indexOf('@');
    const index = Number(text.slice(0, at));
    const sentAt = Number.parseFloat(text.slice(at + 1));
    const state = this.perSession.get(key);
    if (!state || !(index >= 0 && index < COUNT)) throw new Error(`${this.label}: bad delta ${key} ${text}`);
    if (state.seen[index]) state.duplicates += 1;
    state.seen[index] = 1;
    if (index < state.lastIndex) state.outOfOrder += 1;
    state.lastIndex = Math.max(state.lastIndex, index);
    if (sentAt < this.firstSend) this.firstSend = sentAt;
    this.lastReceive = receivedAt;
    if (index >= WARMUP_COUNT) this.latencies.push(receivedAt - sentAt);
  }

  async waitUntilDone(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while ([...this.perSession.values()].some((state) => !state.done)) {
      if (Date.now() > deadline) {
        const pending = [...this.perSession].filter(([, state]) => !state.done).map(([key]) => key);
        throw new Error(`${this.label}: ${pending.length} session(s) did not finish in time`);
      }
      await sleep(20);
    }
    this.closeWindow();
  }

  report() {
    let lost = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    for (const state of this.perSession.values()) {
      for (const seen of state.seen) if (!seen) lost += 1;
      duplicates += state.duplicates;
      outOfOrder += state.outOfOrder;
    }
    const stats = summarize(this.latencies);
    const received = COUNT * this.perSession.size - lost;
    const seconds = (this.lastReceive - this.firstSend) / 1000;
    return {
      ...stats,
      latencies: this.latencies,
      lost,
      duplicates,
      outOfOrder,
      received,
      /** Delta events received: fewer than deltas when the backend coalesced them. */
      deltaEvents: this.deltaEvents,
      eventsPerSecond: received / seconds,
      ...this.windowResult,
    };
  }
}

function connect(url, headers) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
  });
}

async function runBaseline() {
  const keys = Array.from({ length: options.sessions }, (_, i) => `s${i}`);
  const collector = new Collector('relay', keys);
  // The product's default niceness for runners (settings' runnerNiceness) unless --runner-nice.
  const relay = new Child(process.execPath, [
    fixture('relay.mjs'),
    RUNNER,
    String(options.runnerNice >= 0 ? options.runnerNice : 10),
  ]);
  const { port } = JSON.parse(await relay.waitForLine((line) => line.startsWith('{')));
  const sockets = [];
  const readyCount = { value: 0 };
  for (const key of keys) {
    const socket = await connect(`ws://127.0.0.1:${port}/?session=${key}`, {});
    sockets.push(socket);
    socket.on('message', (data) => {
      const receivedAt = machineNow();
      const message = JSON.parse(data.toString());
      if (message.type === 'stream_delta') collector.delta(key, message.text, receivedAt);
      else if (message.type === 'hello') collector.runnerPids.add(message.pid);
      else if (message.type === 'ready') readyCount.value += 1;
      else if (message.type === 'result') collector.perSession.get(key).done = true;
    });
  }
  onCleanup(() => {
    for (const socket of sockets) socket.terminate();
  });
  const startAt = machineNow() + START_DELAY_MS;
  markAt(relay, startAt, collector);
  for (const [i, socket] of sockets.entries()) {
    const text = `rate ${options.rate} ${COUNT} ${phased(startAt, i).toFixed(3)} ${options.pad} ${options.runnerSchedIdle}`;
    socket.send(JSON.stringify({ type: 'user_message', session: keys[i], turnId: 't1', text }));
  }
  await collector.waitUntilDone(START_DELAY_MS + (options.seconds + options.warmup) * 1000 + 30_000);
  // The diagnostics window ends with the load, before the checks and the idle wait below.
  relay.child.stdin.write('end\n');
  for (const socket of sockets) socket.terminate();
  await relay.stop({ signal: null });
  const stragglers = await reapStragglers(collector.runnerPids, 'relay');
  return {
    ...collector.report(),
    runnersSeen: collector.runnerPids.size,
    ready: readyCount.value,
    stragglers,
    process: diagnosticsOf(relay),
  };
}

async function runChatml(dir, { measureIdle }) {
  const repo = await createTempRepo({ files: { 'README.md': '# bench\n' } });
  onCleanup(() => repo.cleanup());
  const { server, port, token, pid, api } = await startServerChild(dir, {
    runnerMainPath: RUNNER,
    maxConcurrentTurns: options.sessions,
    idleRunnerTimeoutMs: 10 * 60_000,
    // --runner-nice N overrides the product default (settings' runnerNiceness, else 10).
    ...(options.runnerNice >= 0 ? { runnerNiceness: options.runnerNice } : {}),
  });
  const workspace = await api('POST', '/workspaces', { path: repo.path });
  const sessions = [];
  for (let i = 0; i < options.sessions; i++)
    sessions.push(await api('POST', `/workspaces/${workspace.id}/sessions`, {}));

  const collector = new Collector(
    'chatml',
    sessions.map((session) => session.id),
  );
  const seqState = new Map(sessions.map((session) => [session.id, { last: 0, gaps: 0, duplicates: 0 }]));
  const sockets = [];
  onCleanup(() => {
    for (const socket of sockets) socket.terminate();
  });
  for (const session of sessions) {
    const socket = await connect(`ws://127.0.0.1:${port}/ws`, { authorization: `Bearer ${token}` });
    sockets.push(socket);
    const subscribed = new Promise((resolve, reject) => {
      socket.on('message', (data) => {
        const receivedAt = machineNow();
        const frame = JSON.parse(data.toString());
        if ((frame.type === 'event' || frame.type === 'events') && frame.sessionId === session.id) {
          // Under load the hub sends what one flush stored as one `events` frame.
          for (const event of frame.type === 'event' ? [frame.event] : frame.events) {
            const seq = seqState.get(session.id);
            if (event.seq <= seq.last) seq.duplicates += 1;
            else if (event.seq !== seq.last + 1) seq.gaps += event.seq - seq.last - 1;
            seq.last = Math.max(seq.last, event.seq);
            if (event.type === 'stream_delta') collector.delta(session.id, event.payload.text, receivedAt);
            else if (event.type === 'runner_started') collector.runnerPids.add(event.payload.pid);
            else if (event.type === 'turn_ended') {
              collector.perSession.get(session.id).done = true;
              if (event.payload.outcome !== 'completed')
                console.error(
                  `[chatml] ${session.id} turn ended ${event.payload.outcome}: ${event.payload.reason}`,
                );
            }
          }
        } else if (frame.type === 'subscribed' && frame.sessionId === session.id) resolve();
        else if (frame.type === 'error') reject(new Error(`ws error frame: ${JSON.stringify(frame)}`));
      });
    });
    socket.send(JSON.stringify({ type: 'subscribe', sessionId: session.id, afterSeq: 0 }));
    await subscribed;
  }

  const startAt = machineNow() + START_DELAY_MS;
  markAt(server, startAt, collector);
  await Promise.all(
    sessions.map((session, i) =>
      api('POST', `/sessions/${session.id}/messages`, {
        text: `rate ${options.rate} ${COUNT} ${phased(startAt, i).toFixed(3)} ${options.pad} ${options.runnerSchedIdle}`,
      }),
    ),
  );
  await collector.waitUntilDone(START_DELAY_MS + (options.seconds + options.warmup) * 1000 + 30_000);
  // The diagnostics window ends with the load, before the checks and the idle wait below.
  server.child.stdin.write('end\n');
  // Make sure the store agrees with what was seen live (the last seq of each session).
  let storeMismatch = 0;
  for (const session of sessions) {
    const { lastSeq } = await api('GET', `/sessions/${session.id}`);
    if (lastSeq !== seqState.get(session.id).last) storeMismatch += 1;
  }
  // What the burst leaves resident: the backend's RSS as the streams end and once it has been idle
  // for --idle-seconds (V8's memory reducer runs ~8 s after the last burst), clients still connected.
  const rssAfterBurstMiB = readRssKiB(pid) / 1024;
  if (measureIdle) await sleep(options.idleSeconds * 1000);
  const rssIdleAfterBurstMiB = measureIdle ? readRssKiB(pid) / 1024 : undefined;
  for (const socket of sockets) socket.terminate();
  await server.stop({ signal: null, graceMs: 15_000 });
  const stragglers = await reapStragglers(collector.runnerPids, 'chatml');
  const seqGaps = [...seqState.values()].reduce((sum, seq) => sum + seq.gaps, 0);
  const seqDuplicates = [...seqState.values()].reduce((sum, seq) => sum + seq.duplicates, 0);
  return {
    ...collector.report(),
    seqGaps,
    seqDuplicates,
    storeMismatch,
    runnersSeen: collector.runnerPids.size,
    stragglers,
    rssAfterBurstMiB,
    rssIdleAfterBurstMiB,
    process: diagnosticsOf(server),
  };
}

/** Session i's first delta: spread evenly over one delta period unless --aligned 1. */
function phased(startAt, i) {
  return options.aligned ? startAt : startAt + (i * 1000) / options.rate / options.sessions;
}

/** Starts the child's diagnostics window when the measured (post-warm-up) part of the load begins. */
function markAt(child, startAt, collector) {
  const timer = setTimeout(
    () => {
      child.child.stdin.write('mark\n');
      collector.markWindow();
    },
    startAt + options.warmup * 1000 - machineNow(),
  );
  onCleanup(() => clearTimeout(timer));
}

function diagnosticsOf(child) {
  const line = child.lines.find((candidate) => candidate.startsWith('{"diagnostics"'));
  return line ? JSON.parse(line).diagnostics : undefined;
}

const ms = (value) => round(value, 3);
const cpu = (value) => (value === undefined ? '?' : round(value, 1));

await runBenchmark('hub-latency', 30_000 + options.rounds * 60_000 + options.idleSeconds * 1000, async () => {
  if (PROTOCOL_VERSION !== 2)
    throw new Error(`rate-runner.mjs speaks protocol 2, ChatML ${PROTOCOL_VERSION}`);
  const tmp = await makeTempDir('bench-hub');
  onCleanup(() => tmp.cleanup());
  console.log(
    `hub latency: ${options.sessions} sessions x ${options.rate} deltas/s, ${options.seconds} s measured ` +
      `after ${options.warmup} s warm-up (${COUNT} deltas per session), ${options.rounds} round(s), ` +
      `${options.aligned ? 'all runners in phase' : 'runners spread over the delta period'}`,
  );
  const rounds = [];
  for (let r = 0; r < options.rounds; r++) {
    const isLast = r === options.rounds - 1;
    const order = r % 2 === 0 ? ['baseline', 'chatml'] : ['chatml', 'baseline'];
    const result = {};
    for (const path of order)
      result[path] =
        path === 'baseline'
          ? await runBaseline()
          : await runChatml(join(tmp.path, `round-${r}`), { measureIdle: isLast });
    rounds.push(result);
    const overhead = result.chatml.p99 - result.baseline.p99;
    console.error(
      `[hub-latency] round ${r + 1}/${options.rounds}: relay p99 ${ms(result.baseline.p99)} ms, ` +
        `ChatML p99 ${ms(result.chatml.p99)} ms (${overhead >= 0 ? '+' : ''}${ms(overhead)})`,
    );
  }
  const pooled = (path) => {
    const all = rounds.flatMap((round) => round[path].latencies);
    const sum = (key) => rounds.reduce((total, round) => total + (round[path][key] ?? 0), 0);
    return {
      ...summarize(all),
      lost: sum('lost'),
      duplicates: sum('duplicates'),
      outOfOrder: sum('outOfOrder'),
      deltaEvents: sum('deltaEvents'),
      stragglers: sum('stragglers'),
      seqGaps: sum('seqGaps'),
      seqDuplicates: sum('seqDuplicates'),
      storeMismatch: sum('storeMismatch'),
    };
  };
  const baseline = pooled('baseline');
  const chatml = pooled('chatml');
  const last = rounds[rounds.length - 1];

  console.log('');
  printTable(
    [
      'round',
      'relay p50 ms',
      'relay p99 ms',
      'ChatML p50 ms',
      'ChatML p99 ms',
      'p99 overhead ms',
      'machine CPU relay / ChatML',
      'relay / backend CPU',
      'lost',
    ],
    rounds.map((round, i) => [
      `${i + 1} (${i % 2 === 0 ? 'relay first' : 'ChatML first'})`,
      ms(round.baseline.p50),
      ms(round.baseline.p99),
      ms(round.chatml.p50),
      ms(round.chatml.p99),
      ms(round.chatml.p99 - round.baseline.p99),
      `${cpu(round.baseline.machineCpuPercentOfOneCore)} / ${cpu(round.chatml.machineCpuPercentOfOneCore)}`,
      `${cpu(round.baseline.process?.cpuPercentOfOneCore)} / ${cpu(round.chatml.process?.cpuPercentOfOneCore)}`,
      round.baseline.lost + round.chatml.lost,
    ]),
  );

  const row = (name, r) => [
    name,
    r.n,
    ms(r.p50),
    ms(r.p90),
    ms(r.p99),
    ms(r.p999),
    ms(r.max),
    r.deltaEvents,
    r.lost,
    r.duplicates,
  ];
  console.log(`\nAll ${options.rounds} round(s) pooled:`);
  printTable(
    ['path', 'samples', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'delta events', 'lost', 'dup'],
    [row('bare relay (baseline)', baseline), row('ChatML backend', chatml)],
  );

  const processRow = (name, r) => {
    const d = r.process ?? {};
    return [
      name,
      cpu(r.machineCpuPercentOfOneCore),
      cpu(r.clientCpuPercentOfOneCore),
      cpu(d.cpuPercentOfOneCore),
      cpu(d.systemCpuPercentOfOneCore),
      cpu(d.mainThreadRunqueueWaitMs),
      cpu((d.eventLoopUtilization ?? Number.NaN) * 100),
      ms(d.loopDelayP99Ms),
      ms(d.loopDelayMaxMs),
    ];
  };
  console.log("\nCPU during the last round's measured windows (% of one core; the machine has 2):");
  printTable(
    [
      'path',
      'machine',
      'WS clients',
      'relay/backend',
      'of which sys',
      'run-queue wait ms',
      'loop busy %',
      'loop delay p99 ms',
      'loop delay max ms',
    ],
    [processRow('bare relay (baseline)', last.baseline), processRow('ChatML backend', last.chatml)],
  );
  const inner = last.chatml.process;
  if (inner?.append) {
    console.log('\nChatML backend internals (last round, measured window):');
    printTable(
      ['step', 'calls', 'total ms', 'p50 ms', 'p99 ms', 'max ms', '> 5 ms', '> 50 ms'],
      [
        ['event-store append (SQLite)', inner.append],
        ['hub publish (append + fan-out)', inner.publish],
        ['hub flush (one loop turn: batch)', inner.flush],
        ['GC pauses', inner.gc],
        ['journal -> SQLite move (one slice)', inner.move],
        ['WAL checkpoint', inner.checkpoint],
      ]
        .filter(([, t]) => t)
        .map(([name, t]) => [
          name,
          t.n,
          round(t.totalMs, 0),
          ms(t.p50Ms),
          ms(t.p99Ms),
          ms(t.maxMs),
          t.over5Ms,
          t.over50Ms,
        ]),
    );
    if (inner.moverCpuPercentOfOneCore !== undefined)
      console.log(
        `event mover process (moves into SQLite, WAL checkpoints): ${round(inner.moverCpuPercentOfOneCore, 1)}% of a core`,
      );
    const lag = (process) => process?.arrival;
    if (lag(inner) && lag(last.baseline.process))
      console.log(
        `runner write -> line handled (pipe + scheduling): relay p50 ${ms(lag(last.baseline.process).p50Ms)} / p99 ${ms(lag(last.baseline.process).p99Ms)} ms, ` +
          `ChatML p50 ${ms(lag(inner).p50Ms)} / p99 ${ms(lag(inner).p99Ms)} ms`,
      );
    const stalls = inner.stalls.slice(0, 5).map((stall) => {
      const split =
        stall.cpuMs === undefined ? '' : `ran ${round(stall.cpuMs, 0)}, waited ${round(stall.waitMs, 0)}`;
      const parts = [split, stall.during].filter(Boolean).join('; ');
      return `${round(stall.ms, 0)} ms${parts ? ` (${parts})` : ''}`;
    });
    console.log(
      `longest event-loop stalls: ${options.stalls ? stalls.join(', ') || 'none over 25 ms' : 'not monitored (--stalls 1)'}`,
    );
  }
  const perRound = rounds.map((round) => round.chatml.p99 - round.baseline.p99).sort((a, b) => a - b);
  const medianRound = perRound[Math.floor((perRound.length - 1) / 2)];
  const overhead = {
    p50: chatml.p50 - baseline.p50,
    p99: chatml.p99 - baseline.p99,
    max: chatml.max - baseline.max,
  };
  const isLossless =
    chatml.lost + chatml.duplicates + chatml.outOfOrder + chatml.seqGaps + chatml.seqDuplicates === 0 &&
    chatml.storeMismatch === 0;
  console.log(
    `\noverhead (ChatML - baseline, pooled): p50 ${ms(overhead.p50)} ms, p99 ${ms(overhead.p99)} ms ` +
      `(target p99 < 2 ms: ${overhead.p99 < 2 ? 'met' : 'MISSED'}); per round p99 ${perRound.map(ms).join(', ')} ms ` +
      `(median ${ms(medianRound)}); ChatML lost ${chatml.lost}, duplicated ${chatml.duplicates}, ` +
      `out of order ${chatml.outOfOrder}, seq gaps ${chatml.seqGaps}, seq dups ${chatml.seqDuplicates}, ` +
      `store/live mismatches ${chatml.storeMismatch} (target 0: ${isLossless ? 'met' : 'MISSED'}); ` +
      `leftover processes: relay ${baseline.stragglers}, ChatML ${chatml.stragglers}`,
  );
  console.log(
    `ChatML backend RSS (last round): ${round(last.chatml.rssAfterBurstMiB, 1)} MiB as the streams ended, ` +
      `${round(last.chatml.rssIdleAfterBurstMiB, 1)} MiB after ${options.idleSeconds} s idle`,
  );
  const pick = (r) => ({
    samples: r.n,
    p50Ms: ms(r.p50),
    p90Ms: ms(r.p90),
    p99Ms: ms(r.p99),
    p999Ms: ms(r.p999),
    maxMs: ms(r.max),
    meanMs: ms(r.mean),
    deltaEvents: r.deltaEvents,
    lost: r.lost,
    duplicates: r.duplicates,
    outOfOrder: r.outOfOrder,
    stragglers: r.stragglers,
  });
  const roundSummary = (r) => ({
    p50Ms: ms(r.p50),
    p99Ms: ms(r.p99),
    maxMs: ms(r.max),
    machineCpuPercentOfOneCore: round(r.machineCpuPercentOfOneCore, 1),
    clientCpuPercentOfOneCore: round(r.clientCpuPercentOfOneCore, 1),
    processCpuPercentOfOneCore: round(r.process?.cpuPercentOfOneCore, 1),
  });
  printResult('hub-latency', {
    config: { ...options, deltasPerSession: COUNT },
    baseline: pick(baseline),
    chatml: {
      ...pick(chatml),
      seqGaps: chatml.seqGaps,
      seqDuplicates: chatml.seqDuplicates,
      storeMismatch: chatml.storeMismatch,
      rssAfterBurstMiB: round(last.chatml.rssAfterBurstMiB, 1),
      rssIdleAfterBurstMiB: round(last.chatml.rssIdleAfterBurstMiB, 1),
    },
    rounds: rounds.map((round) => ({
      baseline: roundSummary(round.baseline),
      chatml: roundSummary(round.chatml),
    })),
    processes: { baseline: last.baseline.process, chatml: last.chatml.process },
    overhead: {
      p50Ms: ms(overhead.p50),
      p99Ms: ms(overhead.p99),
      maxMs: ms(overhead.max),
      p99PerRoundMs: perRound.map(ms),
    },
    target: { p99OverheadMs: 2, loss: 0 },
    met: overhead.p99 < 2 && isLossless,
  });
});
