#!/usr/bin/env node
// Soak memory: does the backend's resident set grow with every session? Rounds of K sessions that
// really stream, then are archived, against a bare `node -e "setInterval(()=>{},1e3)"` measured in
// the same run.
//
//   node bench/soak-rss.mjs [--rounds 5] [--sessions 10] [--rate 200] [--deltas 400] [--settle-seconds 12] [--sample-seconds 3]
//   BENCH_SERVER_NODE_ARGS=--heapsnapshot-signal=SIGUSR2 BENCH_SOAK_SIGNAL=SIGUSR2 node bench/soak-rss.mjs
//
// The backend runs with the launcher's V8 flags (BACKEND_NODE_FLAGS, so the idle heap reducer can
// run) but through fixtures/server-child.mjs, as bench/hub-latency.mjs runs it: `chatml serve` has
// no way to choose the agent runner, and the runners here are the bench's stand-in
// (fixtures/rate-runner.mjs), which streams `--deltas` text deltas at `--rate` per second per
// session. server-child starts startServer from tsc's output rather than the bundle, so its RSS is a
// few MiB above `chatml serve`'s (bench/idle-rss.mjs); the growth from round to round is the figure.
// server-child keeps per-event timings for its diagnostics; the bench sends it `mark` after every
// round, which empties them, so nothing the bench adds accumulates.
//
// Each round: create K sessions on one temp repo, send each `rate <rate> <deltas>`, wait until every
// turn has ended (the event log holds its `turn_ended`), archive them all, wait --settle-seconds
// (the backend's idle heap reducer runs after 5 s without work, V8's own memory reducer ~8 s after a
// burst), then read VmRSS of the backend and of bare node together: the median of samples every
// 250 ms over --sample-seconds. Round 0 is the backend with the workspace registered and no session
// yet, read the same way. Growth is the least-squares slope of rounds 1..N (round 1 pays for the
// first-time code of every path; round 0 is shown, not fitted).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION } from '@chatml/protocol';
import { createTempRepo, makeTempDir } from '@chatml/testkit';
import { startServerChild } from './lib/server-child.mjs';
import {
  Child,
  isAlive,
  numericArgs,
  onCleanup,
  printResult,
  printTable,
  reapStragglers,
  round,
  runBenchmark,
  sleep,
} from './lib/util.mjs';

const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const RUNNER = fixture('rate-runner.mjs');
const options = numericArgs({
  rounds: 5,
  sessions: 10,
  rate: 200,
  deltas: 400,
  settleSeconds: 12,
  sampleSeconds: 3,
});
const BARE_SCRIPT = 'setInterval(()=>{},1e3)';

/** VmRSS, RssAnon and RssFile of a process in MiB (Linux /proc). */
function readRssParts(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1]) / 1024;
  return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
}

/** Median of each field for every pid, sampled together every 250 ms over --sample-seconds. */
async function steadyRss(pids) {
  const samples = pids.map(() => []);
  const count = Math.max(3, Math.round((options.sampleSeconds * 1000) / 250));
  for (let i = 0; i < count; i++) {
    for (const [index, pid] of pids.entries()) samples[index].push(readRssParts(pid));
    await sleep(250);
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return samples.map((list) => ({
    rss: median(list.map((sample) => sample.rss)),
    anon: median(list.map((sample) => sample.anon)),
    file: median(list.map((sample) => sample.file)),
    min: Math.min(...list.map((sample) => sample.rss)),
    max: Math.max(...list.map((sample) => sample.rss)),
  }));
}

/** Least-squares slope of ys over xs. */
function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

/** Follows a session's event log until its turn has ended; counts its events and runner pids. */
async function waitForTurnEnd(api, session, state, deadline) {
  for (;;) {
    const page = await api('GET', `/sessions/${session.id}/events?after=${state.cursor}&limit=10000`);
    for (const event of page.events) {
      state.cursor = event.seq;
      state.events += 1;
      if (event.type === 'stream_delta') state.deltaEvents += 1;
      else if (event.type === 'runner_started') state.runnerPids.add(event.payload.pid);
      else if (event.type === 'turn_ended') {
        if (event.payload.outcome !== 'completed')
          console.error(
            `[soak-rss] ${session.id} turn ended ${event.payload.outcome}: ${event.payload.reason}`,
          );
        return event.payload.outcome;
      }
    }
    if (Date.now() > deadline) throw new Error(`session ${session.id}: no turn_ended in time`);
    if (page.events.length === 0) await sleep(250);
  }
}

const perRoundSeconds = options.settleSeconds + options.sampleSeconds + options.deltas / options.rate + 30;
await runBenchmark('soak-rss', (60 + options.rounds * perRoundSeconds) * 1000, async () => {
  if (PROTOCOL_VERSION !== 2)
    throw new Error(`rate-runner.mjs speaks protocol 2, ChatML ${PROTOCOL_VERSION}`);
  const tmp = await makeTempDir('bench-soak');
  const repo = await createTempRepo({ files: { 'README.md': '# bench\n', 'src/a.ts': 'export {};\n' } });
  // Registered first, so it runs last: every other clean-up step has run by then.
  onCleanup(() => {
    const left = [tmp.path, repo.path].filter((path) => existsSync(path));
    console.log(`temp dirs left: ${left.length}${left.length ? ` (${left.join(', ')})` : ''}`);
  });
  onCleanup(() => tmp.cleanup());
  onCleanup(() => repo.cleanup());

  const bare = new Child(process.execPath, ['-e', BARE_SCRIPT]);
  // For digging into a result, as in hub-latency: BENCH_SERVER_NODE_ARGS adds node flags to the
  // backend, and with BENCH_SOAK_SIGNAL=SIGUSR2 (and `--heapsnapshot-signal=SIGUSR2` among those
  // flags) the backend is sent that signal after every reading, so heap snapshots of round 0..N land
  // in the current directory. Figures taken that way are not comparable (a snapshot costs memory).
  const { server, home, pid, api } = await startServerChild(tmp.path, {
    runnerMainPath: RUNNER,
    maxConcurrentTurns: options.sessions,
    idleRunnerTimeoutMs: 10 * 60_000,
  });
  const workspace = await api('POST', '/workspaces', { path: repo.path });
  const runnerPids = new Set();
  console.log(
    `soak: ${options.rounds} rounds x ${options.sessions} sessions, each streaming ${options.deltas} deltas ` +
      `at ${options.rate}/s, then archived; RSS read ${options.settleSeconds} s after each round`,
  );

  const settleAndRead = async (since) => {
    server.child.stdin.write('mark\n');
    await sleep(Math.max(0, options.settleSeconds * 1000 - (Date.now() - since)));
    const [backend, bareNode] = await steadyRss([pid, bare.pid]);
    // The event log's size on disk (database + WAL): what SQLite's page cache (2 MiB by default) can fill with.
    const dbMiB = ['chatml.db', 'chatml.db-wal']
      .map((name) => (existsSync(join(home, name)) ? statSync(join(home, name)).size : 0))
      .reduce((sum, size) => sum + size / 2 ** 20, 0);
    if (process.env.BENCH_SOAK_SIGNAL) {
      process.kill(pid, process.env.BENCH_SOAK_SIGNAL);
      await sleep(3000);
    }
    return { backend, bareNode, dbMiB };
  };

  const rounds = [{ round: 0, sessions: 0, events: 0, deltaEvents: 0, ...(await settleAndRead(Date.now())) }];
  let totalSessions = 0;
  let totalEvents = 0;
  let totalDeltaEvents = 0;
  let failedTurns = 0;
  for (let r = 1; r <= options.rounds; r++) {
    const started = Date.now();
    const sessions = [];
    for (let i = 0; i < options.sessions; i++)
      sessions.push(await api('POST', `/workspaces/${workspace.id}/sessions`, {}));
    const states = sessions.map(() => ({ cursor: 0, events: 0, deltaEvents: 0, runnerPids }));
    await Promise.all(
      sessions.map((session) =>
        api('POST', `/sessions/${session.id}/messages`, { text: `rate ${options.rate} ${options.deltas}` }),
      ),
    );
    const deadline = Date.now() + ((options.deltas / options.rate) * options.sessions + 60) * 1000;
    const outcomes = await Promise.all(
      sessions.map((session, i) => waitForTurnEnd(api, session, states[i], deadline)),
    );
    failedTurns += outcomes.filter((outcome) => outcome !== 'completed').length;
    const turnsEndedMiB = readRssParts(pid).rss;
    for (const session of sessions) await api('POST', `/sessions/${session.id}/archive`, {});
    // Archive stopped each runner; whatever has not exited shortly after is a leak worth showing.
    await sleep(500);
    const runnersAlive = [...runnerPids].filter(isAlive).length;
    const archivedAt = Date.now();
    const streamSeconds = (archivedAt - started) / 1000;
    // Events appended after the turn ended (archive's status changes) are counted from lastSeq.
    for (const session of sessions) {
      const { lastSeq } = await api('GET', `/sessions/${session.id}`);
      totalEvents += lastSeq;
    }
    totalSessions += sessions.length;
    totalDeltaEvents += states.reduce((sum, state) => sum + state.deltaEvents, 0);
    const read = await settleAndRead(archivedAt);
    rounds.push({
      round: r,
      sessions: totalSessions,
      events: totalEvents,
      deltaEvents: totalDeltaEvents,
      turnsEndedMiB,
      runnersAlive,
      streamSeconds,
      ...read,
    });
    console.log(
      `round ${r}: ${round(streamSeconds, 1)} s to create, stream and archive; ` +
        `backend ${round(read.backend.rss, 1)} MiB settled (${round(turnsEndedMiB, 1)} as the turns ended)`,
    );
  }

  const listed = await api('GET', `/workspaces/${workspace.id}/sessions`);
  const archived = (listed.sessions ?? listed).filter((session) => session.status === 'archived').length;
  await server.stop({ signal: null, graceMs: 15_000 });
  await bare.stop();
  const stragglers = await reapStragglers(runnerPids, 'soak-rss');

  const fitted = rounds.slice(1);
  const perRound = slope(
    fitted.map((entry) => entry.round),
    fitted.map((entry) => entry.backend.rss),
  );
  const perRoundAnon = slope(
    fitted.map((entry) => entry.round),
    fitted.map((entry) => entry.backend.anon),
  );
  const lastMinusFirst =
    fitted.length > 1
      ? (fitted.at(-1).backend.rss - fitted[0].backend.rss) / (fitted.length - 1)
      : Number.NaN;
  const per10 = (value) => (value * 10) / options.sessions;
  const mib = (value) => round(value, 1);
  console.log(
    `\nbackend RSS (VmRSS, MiB; median of ${options.sampleSeconds} s of samples ${options.settleSeconds} s after ` +
      `each round's sessions were archived; anon/file = RssAnon/RssFile)\n`,
  );
  printTable(
    [
      'round',
      'sessions',
      'events',
      'delta events',
      'backend RSS',
      'anon',
      'file',
      'vs round 1',
      'at turns end',
      'db + wal',
      'bare node',
      'runners alive',
    ],
    rounds.map((entry) => [
      entry.round,
      entry.sessions,
      entry.events,
      entry.deltaEvents,
      mib(entry.backend.rss),
      mib(entry.backend.anon),
      mib(entry.backend.file),
      entry.round === 0 ? '' : mib(entry.backend.rss - rounds[1].backend.rss),
      entry.turnsEndedMiB === undefined ? '' : mib(entry.turnsEndedMiB),
      round(entry.dbMiB, 2),
      mib(entry.bareNode.rss),
      entry.runnersAlive ?? '',
    ]),
  );
  console.log(
    `\ngrowth over rounds 1..${options.rounds}: ${round(perRound, 2)} MiB per round (least squares; ` +
      `${round(perRoundAnon, 2)} MiB of it anonymous), ${round(lastMinusFirst, 2)} MiB (last - first) / rounds; ` +
      `= ${round(per10(perRound), 2)} MiB per 10 sessions. ` +
      `${archived} sessions archived, ${failedTurns} turns not completed, ${stragglers} runner(s) outlived the backend`,
  );
  printResult('soak-rss', {
    config: options,
    bareNodeMiB: mib(rounds[0].bareNode.rss),
    round0MiB: mib(rounds[0].backend.rss),
    rounds: fitted.map((entry) => ({
      round: entry.round,
      sessions: entry.sessions,
      events: entry.events,
      deltaEvents: entry.deltaEvents,
      rssMiB: mib(entry.backend.rss),
      anonMiB: mib(entry.backend.anon),
      fileMiB: mib(entry.backend.file),
      minMiB: mib(entry.backend.min),
      maxMiB: mib(entry.backend.max),
      turnsEndedMiB: mib(entry.turnsEndedMiB),
      dbMiB: round(entry.dbMiB, 2),
      bareNodeMiB: mib(entry.bareNode.rss),
      runnersAlive: entry.runnersAlive,
      seconds: round(entry.streamSeconds, 1),
    })),
    growthPerRoundMiB: round(perRound, 2),
    growthPerRoundAnonMiB: round(perRoundAnon, 2),
    growthLastMinusFirstPerRoundMiB: round(lastMinusFirst, 2),
    growthPer10SessionsMiB: round(per10(perRound), 2),
    ratioLastRoundToBare: round(fitted.at(-1).backend.rss / fitted.at(-1).bareNode.rss, 2),
    sessionsArchived: archived,
    turnsNotCompleted: failedTurns,
    runnersSeen: runnerPids.size,
    stragglers,
  });
});
