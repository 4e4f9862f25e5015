import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AppPaths, defaultChatmlHome } from '@chatml/server';

let probeDatabase: { close(): void } | undefined;

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** `chatml doctor`: checks what ChatML needs on this machine and says how to fix what is missing. */
export async function doctor(options: { home?: string }): Promise<void> {
  const checks: Check[] = [];
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  checks.push({
    name: 'Node.js',
    ok: major > 20 || (major === 20 && minor >= 19),
    detail: `${process.version}${major === 20 ? ' (Node 20 is past end of life; 22 or 24 recommended)' : ''}`,
  });
  const git = spawnSync('git', ['--version'], { encoding: 'utf8' });
  checks.push({
    name: 'git',
    ok: git.status === 0,
    detail: git.status === 0 ? git.stdout.trim() : 'not found — install git',
  });

  const require = createRequire(import.meta.url);
  try {
    const Database = require(
      require.resolve('better-sqlite3', { paths: [dirname(require.resolve('@chatml/server'))] }),
    );
    // Kept referenced until exit: better-sqlite3 12 on Node 24 can abort when a closed database
    // object is garbage-collected (see server/src/store/prepared.ts).
    probeDatabase = new Database(':memory:');
    probeDatabase?.close();
    checks.push({ name: 'SQLite (better-sqlite3)', ok: true, detail: 'loads' });
  } catch (error) {
    checks.push({
      name: 'SQLite (better-sqlite3)',
      ok: false,
      detail: `${(error as Error).message} — run npm rebuild better-sqlite3`,
    });
  }
  const sdkDir = findPackageDir('@anthropic-ai/claude-agent-sdk');
  checks.push({
    name: 'Claude Agent SDK',
    ok: Boolean(sdkDir),
    detail: sdkDir ?? 'not installed — run npm install',
  });

  const home = options.home ?? defaultChatmlHome();
  const hasKey = Boolean(
    process.env.ANTHROPIC_API_KEY || process.env.CLAUDE_CODE_OAUTH_TOKEN || process.env.ANTHROPIC_AUTH_TOKEN,
  );
  const configDir = process.env.CLAUDE_CONFIG_DIR ?? join(process.env.HOME ?? '', '.claude');
  const hasLogin = existsSync(join(configDir, '.credentials.json'));
  checks.push({
    name: 'Model credentials',
    ok: hasKey || hasLogin,
    detail: hasKey
      ? 'from the environment'
      : hasLogin
        ? `Claude login in ${configDir}`
        : 'none found — set ANTHROPIC_API_KEY, log in with Claude Code, or try `chatml --demo-model`',
  });
  checks.push({ name: 'Data dir', ok: true, detail: new AppPaths(home).home });

  for (const check of checks) console.log(`${check.ok ? '✔' : '✘'} ${check.name}: ${check.detail}`);
  if (checks.some((check) => !check.ok)) process.exitCode = 1;
}

function findPackageDir(name: string): string | undefined {
  const require = createRequire(import.meta.url);
  try {
    const runner = dirname(require.resolve('@chatml/runner'));
    return dirname(createRequire(join(runner, 'x.js')).resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}
