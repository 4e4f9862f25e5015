import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Session } from '@chatml/protocol';
import {
  type BareRemote,
  createBareRemote,
  createTempRepo,
  FakeAnthropicServer,
  FakeGitHubServer,
  makeTempDir,
  scriptByPrompt,
  type TempDir,
  type TempRepo,
  textReply,
  toolUseReply,
} from '@chatml/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, cliEnv } from './cli-process.js';

/**
 * `chatml session …` end to end: a real `chatml serve`, the real SDK against the fake model, real
 * git (with a bare "origin" behind a GitHub-looking URL) and the fake GitHub API — driven only
 * through the CLI, as a script would.
 */
const REMOTE_URL = 'https://github.com/acme/cli-demo.git';

let fake: FakeAnthropicServer;
let github: FakeGitHubServer;
let repo: TempRepo;
let remote: BareRemote;
let dir: TempDir;
let server: CliProcess;
let home: string;

function env(): NodeJS.ProcessEnv {
  return cliEnv({
    home,
    scratch: dir.path,
    modelUrl: fake.url,
    extra: {
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: github.token,
      GH_CONFIG_DIR: join(dir.path, 'gh-config'),
    },
  });
}

/** Run one `chatml` command to completion; cwd matters for `--workspace .`. */
async function chatml(
  args: string[],
  cwd = repo.path,
): Promise<{ code: number | null; out: string; err: string }> {
  const cli = CliProcess.spawn(args, env(), { cwd });
  const code = await cli.exited;
  return { code, out: cli.stdout.join('\n'), err: cli.stderr };
}

async function chatmlJson<T>(args: string[], cwd?: string): Promise<T> {
  const result = await chatml([...args, '--json'], cwd);
  if (result.code !== 0) throw new Error(`chatml ${args.join(' ')} exited ${result.code}: ${result.err}`);
  return JSON.parse(result.out) as T;
}

beforeAll(async () => {
  fake = await FakeAnthropicServer.start({
    handler: scriptByPrompt({
      'add a greeting': [
        (context) =>
          toolUseReply(
            'Write',
            { file_path: join(context.cwd ?? '/nonexistent', 'greeting.txt'), content: 'hello\n' },
            { text: 'Writing greeting.txt.' },
          ),
        textReply('Added greeting.txt.', { chunkSize: 4 }),
      ],
      // Steps follow the conversation: the second user message gets the third reply.
      'write hello then wait': [
        (context) =>
          toolUseReply('Write', {
            file_path: join(context.cwd ?? '/nonexistent', 'hello.txt'),
            content: 'hi\n',
          }),
        textReply('Wrote hello.txt.'),
        textReply('Nothing else to change.', { chunkSize: 3 }),
      ],
    }),
  });
  github = await FakeGitHubServer.start({});
  dir = await makeTempDir('cli-session');
  home = join(dir.path, 'chatml-home');
  repo = await createTempRepo({ files: { 'README.md': '# cli demo\n', 'src/index.ts': 'export {};\n' } });
  remote = await createBareRemote(repo);
  await repo.git(['remote', 'add', 'origin', REMOTE_URL]);
  await repo.git(['config', `url.${remote.url}.insteadOf`, REMOTE_URL]);
  github.addRepo('acme', 'cli-demo', { gitDir: remote.path });
  server = CliProcess.spawn(['serve', '--port', '0', '--home', home], env());
  await server.ready();
}, 60_000);

afterAll(async () => {
  server?.kill('SIGTERM');
  await server?.exited;
  await github?.close();
  await fake?.close();
  await remote?.cleanup();
  await repo?.cleanup();
  await dir?.cleanup();
});

describe('chatml session', () => {
  it('says plainly when no backend is running', async () => {
    const result = await chatml(['session', 'list', '--home', join(dir.path, 'nobody-home')]);
    expect(result.code).toBe(1);
    expect(result.err).toContain('ChatML is not running');
    expect(result.err).not.toContain('    at '); // no stack trace for a user error
  });

  it('creates a session from inside the repository, streams the turn and waits for it', async () => {
    // `--workspace .` from a subfolder: the repository is registered on first use.
    const result = await chatml(
      [
        'session',
        'new',
        '--workspace',
        '.',
        '--name',
        'greet',
        '--prompt',
        'write hello then wait',
        '--permission-mode',
        'acceptEdits',
      ],
      join(repo.path, 'src'),
    );
    expect(result.code).toBe(0);
    expect(result.out).toContain('Created greet on chatml/greet');

    // Not waited for above: the next message queues behind that turn, and --wait follows its own turn.
    const waited = await chatml(['session', 'send', 'greet', 'also', 'say', 'bye', '--wait']);
    expect(waited.code, waited.err).toBe(0);
    expect(waited.out).toContain('Nothing else to change.');
  });

  it("waits for a new session's first turn, with its text, as JSON", async () => {
    const { session, turn } = await chatmlJson<{ session: Session; turn: { outcome: string; text: string } }>(
      [
        'session',
        'new',
        '--name',
        'greet-json',
        '--prompt',
        'add a greeting',
        '--permission-mode',
        'acceptEdits',
        '--wait',
      ],
    );
    expect(turn.outcome).toBe('completed');
    expect(turn.text).toContain('Added greeting.txt.');
    expect(session.status).toBe('idle');
    expect(readFileSync(join(session.worktreePath, 'greeting.txt'), 'utf8')).toBe('hello\n');
  });

  it('lists, diffs, commits, pushes, opens a PR, merges and archives', async () => {
    const { sessions } = await chatmlJson<{ sessions: Session[] }>(['session', 'list']);
    expect(sessions.map((session) => session.name).sort()).toEqual(['greet', 'greet-json']);
    const table = await chatml(['session', 'list']);
    expect(table.out).toMatch(/greet-json\s+idle\s+chatml\/greet-json/);

    const diff = await chatml(['session', 'diff', 'greet-json']);
    expect(diff.out).toContain('+++ b/greeting.txt');
    expect(diff.out).toContain('+hello');

    const { sha } = await chatmlJson<{ sha: string }>([
      'session',
      'commit',
      'greet-json',
      '-m',
      'Add a greeting',
    ]);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);

    const pushed = await chatmlJson<{ remote: string; branch: string }>(['session', 'push', 'greet-json']);
    expect(pushed).toMatchObject({ remote: 'origin', branch: 'chatml/greet-json' });
    expect((await remote.git(['rev-parse', 'refs/heads/chatml/greet-json'])).trim()).toBe(sha);

    const none = await chatml(['session', 'pr', 'greet-json', '--status']);
    expect(none.code, none.err).toBe(0);
    expect(none.out).toContain('greet-json has no pull request yet');

    const pr = await chatmlJson<{ number: number; url: string }>(['session', 'pr', 'greet-json', '--draft']);
    expect(pr.number).toBeGreaterThan(0);
    const created = github.requests.find(
      (request) => request.method === 'POST' && request.path.endsWith('/pulls'),
    );
    // Title prefilled from the first prompt, as the app does.
    expect(created?.body).toMatchObject({
      title: 'add a greeting',
      head: 'chatml/greet-json',
      base: 'main',
      draft: true,
    });
    const status = await chatml(['session', 'pr', 'greet-json', '--status']);
    expect(status.out).toContain(`#${pr.number} open`);

    const merged = await chatmlJson<{ sha: string; archived: boolean }>([
      'session',
      'merge',
      'greet-json',
      '--strategy',
      'squash',
      '--archive',
    ]);
    expect(merged.archived).toBe(true);
    expect(readFileSync(join(repo.path, 'greeting.txt'), 'utf8')).toBe('hello\n');
    expect((await repo.git(['rev-parse', 'HEAD'])).trim()).toBe(merged.sha);

    const archived = await chatml(['session', 'archive', 'greet']);
    expect(archived.code, archived.err).toBe(0);
    expect(archived.out).toContain('Archived greet');
    const { sessions: active } = await chatmlJson<{ sessions: Session[] }>(['session', 'list']);
    expect(active).toEqual([]);
    const { sessions: all } = await chatmlJson<{ sessions: Session[] }>(['session', 'list', '--all']);
    expect(all.every((session) => session.status === 'archived')).toBe(true);
    expect(existsSync(sessions[0]?.worktreePath ?? '')).toBe(false);
  });

  it('refuses unknown sessions and bad options with a clear message', async () => {
    const missing = await chatml(['session', 'diff', 'no-such-session']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('No session named "no-such-session"');
    const badMode = await chatml(['session', 'new', '--permission-mode', 'yolo']);
    expect(badMode.code).not.toBe(0);
    expect(badMode.err).toContain('yolo');
  });
});
