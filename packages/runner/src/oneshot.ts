import { type Options, query } from '@anthropic-ai/claude-agent-sdk';
import type { OneShotRequest, OneShotResult } from '@chatml/protocol';
import { ClaudeProcess } from './claude-process.js';
import { buildChildEnv } from './env.js';
import { errorMessage, log } from './log.js';

/**
 * One model call through the SDK, for drafts (commit messages, PR texts): no tools, one turn, no
 * settings files, nothing saved to resume. The `claude` child is the runner's own (`ClaudeProcess`)
 * and gets the same allow-listed environment as a session's agent.
 */
export async function runOneShot(
  request: OneShotRequest,
  env: NodeJS.ProcessEnv,
  claude: ClaudeProcess = new ClaudeProcess(),
): Promise<OneShotResult> {
  const options: Options = {
    cwd: request.cwd,
    env: buildChildEnv(env),
    tools: [],
    maxTurns: 1,
    settingSources: [],
    persistSession: false,
    permissionMode: 'default',
    // Nothing may run: there are no tools, and anything asked for anyway is refused.
    canUseTool: async () => ({ behavior: 'deny', message: 'Drafts run without tools.' }),
    spawnClaudeCodeProcess: claude.spawn,
  };
  if (request.systemPrompt) options.systemPrompt = request.systemPrompt;
  if (request.model) options.model = request.model;
  try {
    for await (const message of query({ prompt: request.prompt, options })) {
      if (message.type !== 'result') continue;
      if (message.subtype === 'success' && !message.is_error) return { ok: true, text: message.result };
      const detail =
        'errors' in message && message.errors.length > 0 ? message.errors.join('; ') : message.subtype;
      return { ok: false, error: message.subtype === 'success' ? message.result : detail };
    }
    return { ok: false, error: 'the model call ended without a result' };
  } catch (error) {
    log(`one-shot query failed: ${errorMessage(error)}`);
    return { ok: false, error: errorMessage(error) };
  } finally {
    await claude.stop(1000);
  }
}
