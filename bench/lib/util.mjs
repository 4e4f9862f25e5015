// Small helpers shared by the benchmarks: timing, statistics, tables, child processes, cleanup.
// Plain ESM on purpose: benchmarks import the built packages and run with `node bench/<file>.mjs`.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** High-resolution wall clock in ms (browsers can read it too: the UI benchmarks use it). */
export const wallNow = () => performance.timeOrigin + performance.now();

/**
 * CLOCK_MONOTONIC in ms (libuv's hrtime): one clock for every process on the machine, never
 * stepped. Latency across processes is measured with it: `performance.timeOrigin` is the wall
 * clock read once when each process started, so a clock adjustment between two processes' starts
 * skews every figure between them (a hub-latency round once read -22 ms).
 */
export const machineNow = () => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `--name value` / `--name=value` options with numeric defaults. */
export function numericArgs(defaults) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([\w-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match) continue;
    const key = match[1].replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown option --${match[1]}`);
    const value = match[2] ?? argv[++i];
    out[key] = Number(value);
    if (!Number.isFinite(out[key])) throw new Error(`--${match[1]} needs a number, got ${value}`);
  }
  return out;
}

// ---- statistics ---------------------------------------------------------------------------------

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    n,
    mean: n ? sum / n : Number.NaN,
    min: n ? sorted[0] : Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: n ? sorted[n - 1] : Number.NaN,
  };
}

export const round = (value, digits = 3) =>
  Number.isFinite(value) ? Number(value.toFixed(digits)) : value === undefined ? null : String(value);

/** Prints rows (arrays of cells) under a header, columns padded; numbers right-aligned. */
export function printTable(header, rows) {
  const cells = [header, ...rows].map((row) =>
    row.map((cell) => (typeof cell === 'number' ? String(round(cell)) : String(cell ?? ''))),
  );
  const widths = header.map((_, col) => Math.max(...cells.map((row) => row[col].length)));
  const isNumeric = header.map((_, col) => rows.every((row) => typeof row[col] === 'number'));
  const line = (row) =>
    row
      .map((cell, col) => (isNumeric[col] ? cell.padStart(widths[col]) : cell.padEnd(widths[col])))
      .join('  ');
  console.log(line(cells[0]));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of cells.slice(1)) console.log(line(row));
}

/** Machine CPU busy (% of one core) in the second before the benchmark started: other work. */
let backgroundCpu;

/** The machine line every benchmark's JSON carries, so figures can be compared across runs. */
export function machine() {
  return {
    backgroundCpuPercentOfOneCore: backgroundCpu === undefined ? undefined : round(backgroundCpu, 1),
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memGiB: round(os.totalmem() / 2 ** 30, 1),
    loadavg: os.loadavg().map((value) => round(value, 2)),
  };
}

/** One JSON line of results; `run-all.mjs` finds it by the `bench` key. */
export function printResult(bench, results) {
  console.log(JSON.stringify({ bench, ...machine(), ...results }));
}

// ---- processes and cleanup ----------------------------------------------------------------------

const cleanups = [];

/** Registers cleanup work; run in reverse order at the end, on error, on SIGINT and on timeout. */
export function onCleanup(fn) {
  cleanups.push(fn);
}

async function runCleanups() {
  while (cleanups.length > 0) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch (error) {
      console.error(`cleanup step failed: ${error?.message ?? error}`);
    }
  }
}

/** Runs a benchmark body with a hard time limit; cleans up whatever happens. */
export async function runBenchmark(name, timeLimitMs, body) {
  let finished = false;
  const bail = async (why, code) => {
    if (finished) return;
    finished = true;
    console.error(`[${name}] ${why}; cleaning up`);
    await runCleanups();
    process.exit(code);
  };
  const timer = setTimeout(
    () => void bail(`exceeded its ${timeLimitMs / 1000} s time limit`, 2),
    timeLimitMs,
  );
  process.once('SIGINT', () => void bail('interrupted', 130));
  process.once('SIGTERM', () => void bail('terminated', 143));
  try {
    const from = machineCpuTicks();
    await sleep(1000);
    backgroundCpu = machineCpuPercent(from, machineCpuTicks());
    const note = backgroundCpu > 15 ? ' -- other work is running; figures will be noisier' : '';
    console.log(`[${name}] machine busy ${round(backgroundCpu, 0)}% of one core before start${note}`);
    await body();
  } catch (error) {
    console.error(`[${name}] failed:`, error);
    process.exitCode = 1;
  } finally {
    if (!finished) {
      finished = true;
      clearTimeout(timer);
      await runCleanups();
    }
  }
}

/** A child process with its stdout split into lines and a short stderr tail kept for errors. */
export class Child {
  constructor(command, args, options = {}) {
    this.lines = [];
    this.stderrTail = '';
    this.waiters = new Set();
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    this.isAlive = true;
    this.exited.then(() => {
      this.isAlive = false;
      this.wake();
    });
    this.child.stdin.on('error', () => {});
    let buffer = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop();
      this.lines.push(...parts);
      this.wake();
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });
    onCleanup(() => this.stop());
  }

  wake() {
    for (const wake of this.waiters) wake();
  }

  async waitForLine(predicate, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find(predicate);
      if (line !== undefined) return line;
      if (!this.isAlive) throw new Error(`child ${this.pid} exited; stderr: ${this.stderrTail}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`timed out waiting for a line from ${this.pid}: ${this.stderrTail}`);
      await new Promise((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, remaining);
        this.waiters.add(done);
      });
    }
  }

  /** Polite first (close stdin, then `signal`), SIGKILL if it does not go in time. */
  async stop({ signal = 'SIGTERM', graceMs = 10_000 } = {}) {
    if (!this.isAlive) return this.exited;
    this.child.stdin.end();
    if (signal) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills (and reports) any of `pids` still alive: a benchmark must leave no processes behind. */
export async function reapStragglers(pids, label) {
  await sleep(200);
  const alive = [...pids].filter(isAlive);
  for (const pid of alive) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  if (alive.length > 0)
    console.error(`[${label}] ${alive.length} process(es) outlived their owner: ${alive}`);
  return alive.length;
}

/** VmRSS of a process in KiB (Linux /proc). */
export function readRssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

/** VmRSS of `pid` and of its child processes (the backend's event mover, runners), in KiB. */
export function readTreeRssKiB(pid) {
  let total = readRssKiB(pid);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid)
        total += readRssKiB(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

// ---- ChatML HTTP API ----------------------------------------------------------------------------

export function apiClient(baseUrl, token) {
  return async function api(method, path, body) {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (response.status >= 300) throw new Error(`${method} ${path} -> ${response.status}: ${text}`);
    return parsed;
  };
}

/** Machine-wide CPU counters (Linux /proc/stat, in clock ticks): busy and total over all cores. */
export function machineCpuTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = fields[3] + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Busy share of the whole machine between two machineCpuTicks() readings, in % of ONE core. */
export function machineCpuPercent(from, to) {
  const cores = os.cpus().length;
  return ((to.busy - from.busy) / Math.max(1, to.total - from.total)) * 100 * cores;
}
