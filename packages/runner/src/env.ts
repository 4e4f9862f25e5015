import { mkdirSync } from 'node:fs';

/**
 * Variables the `claude` child may inherit from the runner. The SDK's `options.env` REPLACES the
 * child's whole environment, so anything not listed here is dropped on purpose: the backend's own
 * secrets (launch token, GitHub credentials) must never reach the agent or its tools.
 */
const INHERITED = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'TERM',
  'TZ',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_MODEL',
  'ANTHROPIC_CUSTOM_HEADERS',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CONFIG_DIR',
  'CLAUDE_CODE_MAX_RETRIES',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'API_TIMEOUT_MS',
  'IS_SANDBOX',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'SYSTEMROOT',
  // Set by the backend: git's repository search stops at the worktrees folder (runner-env.ts).
  'GIT_CEILING_DIRECTORIES',
] as const;

/** Where the runner keeps the CLI's scratch files, so nothing lands in a shared `/tmp/claude-<uid>`. */
export const RUNNER_TMPDIR_VAR = 'CHATML_RUNNER_TMPDIR';

export function buildChildEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = source[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  // Without this the CLI calls Anthropic hosts (hello ping, title generation, update checks) on its
  // own, bypassing ANTHROPIC_BASE_URL and leaking that a session exists.
  env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = '1';
  const tmpdir = source[RUNNER_TMPDIR_VAR];
  if (tmpdir) {
    mkdirSync(tmpdir, { recursive: true, mode: 0o700 });
    env.TMPDIR = tmpdir;
    env.CLAUDE_CODE_TMPDIR = tmpdir;
  } else if (source.TMPDIR) {
    env.TMPDIR = source.TMPDIR;
  }
  return env;
}
