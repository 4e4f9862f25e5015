import {
  type Options,
  type Query,
  query,
  type SDKMessage,
  type SDKResultMessage,
} from '@anthropic-ai/claude-agent-sdk';
import type { PermissionMode, RunnerConfig } from '@chatml/protocol';
import { ClaudeProcess } from './claude-process.js';
import { log } from './log.js';
import type { PermissionBridge } from './permission-bridge.js';
import { UserInputQueue } from './user-input.js';

/** One running `query()`: its open input, and the `claude` child the runner owns. */
export interface LiveQuery {
  query: Query;
  input: UserInputQueue;
  process: ClaudeProcess;
  /** Launched with bypass allowed; the CLI refuses to switch to bypass later otherwise. */
  canBypass: boolean;
  /** To be replaced by a resuming query once no turn runs (e.g. to switch to bypass). */
  isRetiring: boolean;
  /** The SDK session this query was asked to resume. */
  resumedFrom: string | undefined;
  /** Set at the CLI's first `system/init`: the conversation (new or resumed) is live. */
  hasStarted: boolean;
}

export interface LaunchOptions {
  config: RunnerConfig;
  /** The child's whole environment (see env.ts). */
  env: Record<string, string>;
  permissionMode: PermissionMode;
  model: string | undefined;
  /** SDK session to continue; a new session when undefined. */
  resume: string | undefined;
  permissions: PermissionBridge;
}

/** Starts the `claude` CLI in streaming-input mode with ChatML's options. */
export function launchQuery(launch: LaunchOptions): LiveQuery {
  const input = new UserInputQueue();
  const claude = new ClaudeProcess();
  const canBypass = launch.permissionMode === 'bypassPermissions';
  const options: Options = {
    cwd: launch.config.cwd,
    env: launch.env,
    includePartialMessages: true,
    settingSources: launch.config.settingSources,
    permissionMode: launch.permissionMode,
    // Only when asked for: as root the CLI refuses to start with it unless IS_SANDBOX=1.
    allowDangerouslySkipPermissions: canBypass,
    canUseTool: launch.permissions.canUseTool,
    // The fence as a hook too: hooks run in every mode, canUseTool only when the CLI would ask.
    hooks: { PreToolUse: [{ hooks: [launch.permissions.fenceHook] }] },
    // Without a preset the SDK sends a one-line system prompt; ChatML sessions are coding agents.
    systemPrompt: launch.config.appendSystemPrompt
      ? { type: 'preset', preset: 'claude_code', append: launch.config.appendSystemPrompt }
      : { type: 'preset', preset: 'claude_code' },
    spawnClaudeCodeProcess: claude.spawn,
  };
  if (launch.model) options.model = launch.model;
  if (launch.resume) options.resume = launch.resume;
  log(
    launch.resume ? 'starting the agent, resuming its SDK session' : 'starting the agent (new SDK session)',
  );
  return {
    query: query({ prompt: input, options }),
    input,
    process: claude,
    canBypass,
    isRetiring: false,
    resumedFrom: launch.resume,
    hasStarted: false,
  };
}

/** Messages that show the CLI is working on the turn it was sent (it emits `system/init` per turn). */
export function startsTurn(message: SDKMessage): boolean {
  if (message.type === 'system') return message.subtype === 'init';
  return message.type === 'stream_event' || message.type === 'assistant' || message.type === 'user';
}

/**
 * A resume the CLI refused before the conversation started: an error result with no `system/init`
 * before it (`No conversation found with session ID …` when the CLI died before saving its
 * transcript, which it does lazily).
 */
export function isRefusedResume(live: LiveQuery, result: SDKResultMessage): boolean {
  return live.resumedFrom !== undefined && !live.hasStarted && result.is_error;
}
