import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelCredentials } from '@chatml/protocol';
import type { ModelEndpoint } from './runner-env.js';

/**
 * Which kind of model credentials the runners will get, judged from the environment they inherit
 * (see runner-env.ts) — for the UI's onboarding and settings, which must never see a secret. A
 * Claude Code login is recognised by its credentials file under `CLAUDE_CONFIG_DIR` (default
 * `~/.claude`), as `chatml doctor` does; on macOS that login may live in the keychain instead, which
 * this cannot see, so `none` means "none found", not "none exists".
 *
 * @example
 * detectModelCredentials(process.env, { isDemoModel: false }) // 'api_key' when ANTHROPIC_API_KEY is set
 */
export function detectModelCredentials(
  env: NodeJS.ProcessEnv,
  options: { isDemoModel: boolean; endpoint?: ModelEndpoint },
): ModelCredentials {
  if (options.isDemoModel) return 'demo';
  if (options.endpoint?.apiKey || env.ANTHROPIC_API_KEY || env.ANTHROPIC_AUTH_TOKEN) return 'api_key';
  if (env.CLAUDE_CODE_OAUTH_TOKEN) return 'oauth';
  if (isSet(env.CLAUDE_CODE_USE_BEDROCK) || isSet(env.CLAUDE_CODE_USE_VERTEX)) return 'cloud';
  const configDir = env.CLAUDE_CONFIG_DIR ?? (env.HOME ? join(env.HOME, '.claude') : undefined);
  if (configDir && existsSync(join(configDir, '.credentials.json'))) return 'oauth';
  return 'none';
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
