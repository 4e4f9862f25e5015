import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Session, StoredEvent } from '@chatml/protocol';
import {
  createTempRepo,
  FakeAnthropicServer,
  isAlive,
  makeTempDir,
  processGroupMembers,
  scriptByPrompt,
  type TempDir,
  type TempRepo,
  textReply,
  waitUntil,
} from '@chatml/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, BIN, CliProcess, cliEnv, readInfo } from './cli-process.js';

let fake: FakeAnthropicServer;
let repo: TempRepo;
let dir: TempDir;
const processes: CliProcess[] = [];

function env(home: string): NodeJS.ProcessEnv {
  return cliEnv({ home, scratch: dir.path, modelUrl: fake.url });
}

function run(args: string[], home: string): CliProcess {
  const cli = CliProcess.spawn(args, env(home));
  processes.push(cli);
  return cli;
}

beforeAll(async () => {
  fake = await FakeAnthropicServer.start({
    handler: scriptByPrompt({
      'long task': [
        (context) => (context.lastUserText === 'continue' ? textReply('continued') : { hang: true }),
      ],
    }),
  });
  repo = await createTempRepo({ files: { 'README.md': '# cli\n' } });
  dir = await makeTempDir('cli');
});
afterEach(async () => {
  for (const cli of processes.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.kill('SIGKILL');
      await cli.exited;
    }
  }
});
afterAll(async () => {
  await fake?.close();
  await repo?.cleanup();
  await dir?.cleanup();
});

describe('chatml', () => {
  it('lists its commands in --help', () => {
    const help = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    for (const command of ['start', 'serve', 'status', 'stop', 'doctor']) expect(help).toContain(command);
  });

  it('serve prints one ready line, writes server.json with mode 0600, and refuses a second instance', async () => {
    const home = join(dir.path, 'home-serve');
    const serve = run(['serve', '--port', '0'], home);
    const ready = await serve.ready();
    const info = readInfo(home);
    expect(info).toMatchObject({ port: ready.port, pid: ready.pid });
    expect(info.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    expect(statSync(join(home, 'server.json')).mode & 0o777).toBe(0o600);
    expect(serve.stdout.filter((line) => line.trim())).toHaveLength(1);
    expect(serve.stderr).not.toContain(info.token);
    expect((await api(home, 'GET', '/health')).body).toMatchObject({ ok: true });

    const second = run(['serve', '--port', '0'], home);
    expect(await second.exited).toBe(3);
    expect(second.stderr).toMatch(/already running/);

    serve.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(existsSync(join(home, 'server.json'))).toBe(false);
  });

  it('leaves no runner or claude process behind when the backend is killed with SIGKILL, and recovers the session on restart', async () => {
    const home = join(dir.path, 'home-crash');
    const serve = run(['serve', '--port', '0'], home);
    await serve.ready();
    const workspace = await api<{ id: string }>(home, 'POST', '/workspaces', { path: repo.path });
    const session = (
      await api<Session>(home, 'POST', `/workspaces/${workspace.body.id}/sessions`, { prompt: 'long task' })
    ).body;
    let runnerPid = 0;
    await waitUntil(async () => {
      const events = (await api<{ events: StoredEvent[] }>(home, 'GET', `/sessions/${session.id}/events`))
        .body.events;
      const started = events.find((event) => event.type === 'runner_started');
      runnerPid = (started?.payload as { pid?: number } | undefined)?.pid ?? 0;
      return (
        runnerPid > 0 &&
        fake.requests.some((request) => JSON.stringify(request.body ?? '').includes('long task'))
      );
    });
    expect(processGroupMembers(runnerPid).length).toBeGreaterThanOrEqual(2); // the runner and its claude CLI
    const seen = (await api<{ events: StoredEvent[] }>(home, 'GET', `/sessions/${session.id}/events`)).body
      .events;

    serve.kill('SIGKILL');
    await serve.exited;
    // The runner sees its stdin close, stops the CLI and exits: nothing is orphaned.
    await waitUntil(() => processGroupMembers(runnerPid).length === 0);

    const again = run(['serve', '--port', '0'], home); // the stale lock of the killed backend is taken over
    await again.ready();
    const recovered = (await api<Session>(home, 'GET', `/sessions/${session.id}`)).body;
    expect(recovered.status).toBe('idle');
    const events = (await api<{ events: StoredEvent[] }>(home, 'GET', `/sessions/${session.id}/events`)).body
      .events;
    // Everything it had handed out is still there, under the same seqs (journaled or moved).
    expect(events.slice(0, seen.length)).toEqual(seen);
    const ended = events.filter((event) => event.type === 'turn_ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]?.payload).toMatchObject({
      outcome: 'interrupted',
      reason: expect.stringMatching(/ChatML stopped/),
    });
    again.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('start supervises the backend: restarts it after a crash on the same port with the same token, and shuts down cleanly', async () => {
    const home = join(dir.path, 'home-start');
    const start = run(['start', '--no-open', '--port', '0'], home);
    await start.waitForLine((line) => line.startsWith('Open ChatML at: http://127.0.0.1:'));
    const url = start.stdout.find((line) => line.startsWith('Open ChatML at:'))!;
    expect(url).toMatch(/#token=/);
    const first = readInfo(home);
    process.kill(first.pid, 'SIGKILL');
    await waitUntil(() => existsSync(join(home, 'server.json')) && readInfo(home).pid !== first.pid, {
      timeoutMs: 30_000,
      what: 'a restarted backend',
    });
    await waitUntil(
      async () => (await api(home, 'GET', '/health').catch(() => ({ status: 0 }))).status === 200,
    );
    const second = readInfo(home);
    // The restarted backend keeps the app's origin and token: an open UI just reconnects.
    expect(second.port).toBe(first.port);
    expect(second.token).toBe(first.token);

    const status = execFileSync(process.execPath, [BIN, 'status', '--json'], {
      env: env(home),
      encoding: 'utf8',
    });
    expect(JSON.parse(status)).toMatchObject({ running: true, pid: second.pid });

    // A second launcher for the same data dir opens the running app instead of starting another.
    const another = run(['start', '--no-open', '--port', '0'], home);
    expect(await another.exited).toBe(0);
    expect(another.stdout.join('\n')).toMatch(/already running/);

    start.kill('SIGTERM');
    expect(await start.exited).toBe(0);
    expect(isAlive(second.pid)).toBe(false);
    expect(readFileSync(join(home, 'logs', 'server.log'), 'utf8')).not.toContain(second.token);
  });

  it('stop ends the app the launcher supervises, not just its backend (which it would restart)', async () => {
    const home = join(dir.path, 'home-stop');
    const start = run(['start', '--no-open', '--port', '0'], home);
    await start.waitForLine((line) => line.startsWith('Open ChatML at: http://127.0.0.1:'));
    // A data dir the launcher creates is as private as one the backend creates.
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const backend = readInfo(home);

    const stopped = execFileSync(process.execPath, [BIN, 'stop'], { env: env(home), encoding: 'utf8' });
    expect(stopped).toContain('ChatML stopped.');
    expect(await start.exited).toBe(0);
    expect(isAlive(backend.pid)).toBe(false);
    const status = spawnSync(process.execPath, [BIN, 'status', '--json'], {
      env: env(home),
      encoding: 'utf8',
    });
    expect(JSON.parse(status.stdout)).toMatchObject({ running: false });
  });

  it('serves the clearly-labelled offline demo model', async () => {
    const home = join(dir.path, 'home-demo');
    const serve = run(['serve', '--port', '0', '--demo-model'], home);
    await serve.ready();
    expect((await api(home, 'GET', '/health')).body).toMatchObject({ demoModel: true });
    expect(serve.stderr).toMatch(/OFFLINE DEMO MODEL/);
    const workspace = await api<{ id: string }>(home, 'POST', '/workspaces', { path: repo.path });
    const session = (
      await api<Session>(home, 'POST', `/workspaces/${workspace.body.id}/sessions`, {
        prompt: 'Show me around',
        permissionMode: 'acceptEdits',
      })
    ).body;
    await waitUntil(
      async () => {
        const events = (await api<{ events: StoredEvent[] }>(home, 'GET', `/sessions/${session.id}/events`))
          .body.events;
        return events.some((event) => event.type === 'turn_ended');
      },
      { timeoutMs: 30_000 },
    );
    const events = (await api<{ events: StoredEvent[] }>(home, 'GET', `/sessions/${session.id}/events`)).body
      .events;
    expect(events.find((event) => event.type === 'turn_ended')?.payload).toMatchObject({
      outcome: 'completed',
    });
    const diff = (await api<{ files: { path: string }[] }>(home, 'GET', `/sessions/${session.id}/diff`)).body;
    expect(diff.files.map((file) => file.path)).toEqual([expect.stringMatching(/^chatml-demo\/.+\.md$/)]);
    serve.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });
});
