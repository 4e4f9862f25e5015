/**
 * The environment a runner starts with. Only what the agent needs crosses over: model credentials
 * and endpoint (so a model can be chosen by environment alone, as scripts and tests need), PATH and
 * HOME (the SDK replaces the CLI's whole env, and the user's Claude login lives under HOME), locale,
 * and Claude Code's own knobs. Nothing else of the backend's environment leaks into agent tools.
 */
const passThrough = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'TERM',
  'SYSTEMROOT',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_MODEL',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CONFIG_DIR',
  'CLAUDE_CODE_MAX_RETRIES',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'IS_SANDBOX',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
] as const;

export interface ModelEndpoint {
  baseUrl?: string;
  apiKey?: string;
}

export function buildRunnerEnv(
  source: NodeJS.ProcessEnv,
  options: {
    sessionId: string;
    tmpDir: string;
    endpoint?: ModelEndpoint;
    /**
     * The folder holding every session's worktree: git's search for a repository stops there, so a
     * worktree that lost its `.git` mid-turn makes the agent's git commands fail instead of finding
     * a repository further up (the user's home may be one).
     */
    gitCeiling?: string;
  },
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of passThrough) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  if (options.endpoint?.baseUrl) env.ANTHROPIC_BASE_URL = options.endpoint.baseUrl;
  if (options.endpoint?.apiKey) env.ANTHROPIC_API_KEY = options.endpoint.apiKey;
  env.CHATML_RUNNER_TMPDIR = options.tmpDir;
  env.CHATML_SESSION_ID = options.sessionId;
  if (options.gitCeiling) env.GIT_CEILING_DIRECTORIES = options.gitCeiling;
  return env;
}
