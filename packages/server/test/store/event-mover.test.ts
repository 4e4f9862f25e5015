import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NewSessionEvent } from '@chatml/protocol';
import { makeTempDir, type TempDir, waitUntil } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { GenerationMover } from '../../src/store/generation-mover.js';
import {
  type Database,
  defaultMoverEntry,
  EventMoverClient,
  type EventMoverOptions,
  EventStore,
  journalPathFor,
  type MoveHandoff,
  openDatabase,
  openMoverDatabase,
  SCHEMA_VERSION,
} from '../../src/store/index.js';
import { prepared } from '../../src/store/prepared.js';
import { count, note, seedSessions, texts } from './seed.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the event mover', () => {
  let dir: TempDir;
  let db: Database;
  let databasePath: string;
  let journalPath: string;
  let warnings: string[];
  const cleanups: (() => Promise<void> | void)[] = [];
  const journalFiles = () => readdirSync(dir.path).filter((name) => name.startsWith('chatml.db.events.'));

  /** A store with a real mover process, as the backend wires them. */
  const openWithMover = (options: Partial<EventMoverOptions> = {}) => {
    const client = new EventMoverClient({
      databasePath,
      schemaVersion: SCHEMA_VERSION,
      logger: createLogger({ level: 'warn', write: (line) => warnings.push(line) }),
      niceness: 0,
      onMoved: (reply) => store.moved(reply),
      onLost: (generations) => store.moveLost(generations),
      retryAfterMs: 60_000,
      ...options,
    });
    const store: EventStore = new EventStore(db, { journalPath, mover: client, moveAfterMs: 10 });
    cleanups.push(async () => {
      await client.close();
      if (db.open) store.close();
    });
    return { store, client };
  };

  /** Append `n` events per session in batches, as the hub does. */
  const stream = async (store: EventStore, n: number) => {
    for (let i = 0; i < n; i += 10) {
      store.transaction(() => {
        for (let j = i; j < i + 10 && j < n; j++) {
          store.append('s1', note(`a${j}`));
          store.append('s2', note(`b${j}`));
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };

  const expectWholeLog = (store: EventStore, n: number) => {
    expect(texts(store.after('s1', 0, 10_000))).toEqual(Array.from({ length: n }, (_, i) => `a${i}`));
    expect(texts(store.after('s2', 0, 10_000))).toEqual(Array.from({ length: n }, (_, i) => `b${i}`));
  };

  beforeEach(async () => {
    dir = await makeTempDir('event-mover');
    databasePath = join(dir.path, 'chatml.db');
    journalPath = journalPathFor(databasePath) as string;
    db = openDatabase(databasePath, createLogger({ level: 'error' }));
    seedSessions(db, ['s1', 's2']);
    warnings = [];
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    if (db.open) db.close();
    await dir.cleanup();
  });

  it('moves the journal into the database from its own process, deletes the files, and stops with the store', async () => {
    const { store, client } = openWithMover();
    await stream(store, 300);
    await waitUntil(() => store.pendingRows === 0, { what: 'every row moved' });
    expect(count(db)).toBe(600);
    expectWholeLog(store, 300);
    await waitUntil(() => journalFiles().length <= 1, { what: 'moved journal files deleted' });
    const pid = client.pid as number;
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);
    await client.close();
    expect(isAlive(pid)).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('loses nothing when the mover is killed mid-stream: the store moves what it had handed over', async () => {
    const { store, client } = openWithMover();
    await stream(store, 50);
    await waitUntil(() => client.pid !== undefined, { what: 'the mover running' });
    process.kill(client.pid as number, 'SIGKILL');
    await stream(store, 200);
    await waitUntil(() => store.pendingRows === 0, { what: 'every row moved' });
    // Some rows went in twice (by the mover, then by the store): each is there once.
    expect(count(db)).toBe(500);
    expect(store.after('s1', 0, 10_000).map((event) => event.seq)).toEqual(
      Array.from({ length: 250 }, (_, i) => i + 1),
    );
    expect(warnings.join('\n')).toMatch(/event mover exited \(SIGKILL\).*moves events itself/);
  });

  it('falls back to moving rows itself when the mover cannot start or speaks no protocol', async () => {
    const impostor = join(dir.path, 'impostor.mjs');
    writeFileSync(impostor, "process.stdout.write('hello there\\n'); setInterval(() => {}, 1000);\n");
    for (const entryPath of [join(dir.path, 'missing.mjs'), impostor]) {
      warnings = [];
      const { store } = openWithMover({ entryPath });
      await stream(store, 20);
      await waitUntil(() => store.pendingRows === 0, { what: 'every row moved by the store' });
      expectWholeLog(store, 20);
      expect(warnings.join('\n')).toMatch(/moves events itself/);
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      prepared(db, 'DELETE FROM events').run();
    }
  });

  it('stops when idle and starts again for the next move', async () => {
    const { store, client } = openWithMover({ idleStopMs: 100 });
    await stream(store, 10);
    await waitUntil(() => store.pendingRows === 0, { what: 'moved' });
    const first = client.pid as number;
    await waitUntil(() => client.pid === undefined && !isAlive(first), { what: 'the idle mover gone' });
    await stream(store, 10);
    await waitUntil(() => store.pendingRows === 0, { what: 'moved again' });
    expect(count(db)).toBe(40);
    expect(warnings).toEqual([]);
  });

  it('exits when its stdin closes, and refuses a database of another schema', async () => {
    const run = (schemaVersion: number, input: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [
          defaultMoverEntry(),
          JSON.stringify({ databasePath, schemaVersion }),
        ]);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end(input);
      });
    const ok = await run(
      SCHEMA_VERSION,
      '{"type":"move","generation":7,"path":"/nonexistent/file"}\nnot json\n',
    );
    expect(ok.code).toBe(0);
    const replies = ok.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(replies[0]).toEqual({ type: 'ready' });
    expect(replies.map((reply) => reply.type)).toContain('warning'); // the line that is not JSON
    const other = await run(SCHEMA_VERSION + 1, '');
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/schema/);
  });

  it('moves no later file after one it could not move: the rows in the database stay a prefix of each log', async () => {
    // File 1 holds s1's events 1–2 but cannot be read (a folder stands in for an unreadable file);
    // file 2 holds events 3–4. Events 3–4 in the database without 1–2 would hide 1–2 from reads
    // (they take only rows newer than the database's from memory) until the store moved them.
    mkdirSync(`${journalPath}.1`);
    const line = (seq: number) => `${seq}\t1\tstream_delta\ts1\t${JSON.stringify(note(`a${seq}`).payload)}\n`;
    writeFileSync(`${journalPath}.2`, `${line(3)}${line(4)}#2\n`);
    const child = spawn(process.execPath, [
      defaultMoverEntry(),
      JSON.stringify({ databasePath, schemaVersion: SCHEMA_VERSION }),
    ]);
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const closed = new Promise((resolve) => child.on('close', resolve));
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await closed;
    });
    child.stdin.write(
      `{"type":"move","generation":1,"path":"${journalPath}.1"}\n{"type":"move","generation":2,"path":"${journalPath}.2"}\n`,
    );
    const replies = () =>
      stdout
        .split('\n')
        .filter((reply) => reply !== '')
        .map((reply) => JSON.parse(reply) as { type: string; generation?: number });
    let isClosed = false;
    void closed.then(() => (isClosed = true));
    await waitUntil(() => isClosed || replies().some((reply) => reply.generation === 2), {
      what: 'the mover done with both files',
    });
    child.stdin.end();
    await closed;
    expect(replies().find((reply) => reply.generation === 1)?.type).toBe('move_failed');
    expect(replies().some((reply) => reply.type === 'moved')).toBe(false);
    expect(count(db)).toBe(0);
  });

  it('reads each row once while the mover has committed rows whose reply is not handled yet', () => {
    // The mover's work on a second connection, with its replies held back by the test.
    const mover = new GenerationMover(openMoverDatabase(databasePath, SCHEMA_VERSION), 100);
    const held: { generation: number; path: string }[] = [];
    const handoff: MoveHandoff = {
      move: (generation, path) => {
        held.push({ generation, path });
        return true;
      },
    };
    const store = new EventStore(db, { journalPath, mover: handoff, moveAfterMs: 3_600_000 });
    cleanups.push(() => store.close());
    store.append('s1', { type: 'user_message', payload: { text: 'hi', messageId: 'u1' } } as NewSessionEvent);
    for (let i = 0; i < 5; i++) store.append('s1', note(`a${i}`));
    (store as unknown as { moves: { handOff(): boolean } }).moves.handOff();
    expect(held).toHaveLength(1);
    const [request] = held as [{ generation: number; path: string }];
    const moved = mover.move(request.path);
    expect(moved.rows).toBe(6);
    expect(count(db)).toBe(6);
    expect(store.pendingRows).toBe(6); // in both places now
    store.append('s1', note('a5'));
    expect(store.after('s1', 0).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(store.after('s1', 3, 2).map((event) => event.seq)).toEqual([4, 5]);
    expect(store.ofTypes('s1', ['user_message']).map((event) => event.seq)).toEqual([1]);
    expect(store.lastSeq('s1')).toBe(7);
    store.moved({ type: 'moved', generation: request.generation, rows: 6, skippedLines: 0, refused: [] });
    expect(store.pendingRows).toBe(1);
    expect(store.after('s1', 0).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(journalFiles()).not.toContain(`chatml.db.events.${request.generation}`);
    // A late reply for a file the store moved itself changes nothing.
    store.moved({ type: 'moved', generation: request.generation, rows: 6, skippedLines: 0, refused: [] });
    expect(store.pendingRows).toBe(1);
  });
});
