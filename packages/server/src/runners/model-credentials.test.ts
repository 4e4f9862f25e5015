import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectModelCredentials } from './model-credentials.js';

describe('detectModelCredentials', () => {
  let home: TempDir;
  beforeEach(async () => {
    home = await makeTempDir('creds');
  });
  afterEach(() => home.cleanup());

  const plain = { isDemoModel: false };

  it('names the demo model first, whatever else is set', () => {
    expect(detectModelCredentials({ ANTHROPIC_API_KEY: 'sk-x' }, { isDemoModel: true })).toBe('demo');
  });

  it('recognises an API key, an auth token or a key given with the endpoint', () => {
    expect(detectModelCredentials({ ANTHROPIC_API_KEY: 'sk-x', HOME: home.path }, plain)).toBe('api_key');
    expect(detectModelCredentials({ ANTHROPIC_AUTH_TOKEN: 't', HOME: home.path }, plain)).toBe('api_key');
    expect(
      detectModelCredentials({ HOME: home.path }, { isDemoModel: false, endpoint: { apiKey: 'sk-y' } }),
    ).toBe('api_key');
  });

  it('recognises a subscription token and a Claude Code login on disk', () => {
    expect(detectModelCredentials({ CLAUDE_CODE_OAUTH_TOKEN: 'o', HOME: home.path }, plain)).toBe('oauth');
    const configDir = join(home.path, 'claude-config');
    mkdirSync(configDir);
    expect(detectModelCredentials({ HOME: home.path, CLAUDE_CONFIG_DIR: configDir }, plain)).toBe('none');
    writeFileSync(join(configDir, '.credentials.json'), '{}');
    expect(detectModelCredentials({ HOME: home.path, CLAUDE_CONFIG_DIR: configDir }, plain)).toBe('oauth');
  });

  it('recognises Bedrock or Vertex, but not a flag set to 0', () => {
    expect(detectModelCredentials({ CLAUDE_CODE_USE_BEDROCK: '1', HOME: home.path }, plain)).toBe('cloud');
    expect(detectModelCredentials({ CLAUDE_CODE_USE_VERTEX: '0', HOME: home.path }, plain)).toBe('none');
  });

  it('says none when nothing is configured', () => {
    expect(detectModelCredentials({ HOME: home.path }, plain)).toBe('none');
  });
});
