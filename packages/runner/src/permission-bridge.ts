import { randomUUID } from 'node:crypto';
import type { CanUseTool, HookCallback, PermissionResult } from '@anthropic-ai/claude-agent-sdk';
import type { RunnerCommand, RunnerEvent } from '@chatml/protocol';
import { errorMessage, log } from './log.js';
import type { WorktreeFence } from './worktree-fence.js';

type PermissionResponse = Extract<RunnerCommand, { type: 'permission_response' }>;
type PermissionRequestEvent = Extract<RunnerEvent, { type: 'permission_request' }>;
type PermissionCancelledEvent = Extract<RunnerEvent, { type: 'permission_cancelled' }>;

interface PendingRequest {
  turnId: string;
  input: Record<string, unknown>;
  settle: (result: PermissionResult) => void;
}

export interface PermissionBridgeOptions {
  fence: WorktreeFence;
  /** Sends the `permission_request` to the backend. */
  ask: (request: Omit<PermissionRequestEvent, 'session'>) => void;
  /** Tells the backend a question it was asked is void, so the UI stops waiting on it. */
  withdraw: (cancelled: Omit<PermissionCancelledEvent, 'session'>) => void;
  /** The turn a tool call belongs to; undefined when no turn runs (then nothing is allowed). */
  activeTurnId: () => string | undefined;
}

/**
 * Turns the SDK's `canUseTool` callback into a `permission_request` / `permission_response` round
 * trip with the backend, and keeps file tools inside the worktree: a path outside it is denied at
 * once, without asking anyone.
 */
export class PermissionBridge {
  private readonly pending = new Map<string, PendingRequest>();

  constructor(private readonly options: PermissionBridgeOptions) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  readonly canUseTool: CanUseTool = async (tool, input, { signal, decisionReason, title, toolUseID }) => {
    const turnId = this.options.activeTurnId();
    if (turnId === undefined) return deny('No ChatML turn is running, so no tool call can be approved.');
    const denial = await this.checkFence(input);
    if (denial) return deny(denial);
    if (signal.aborted) return deny('The tool call was cancelled.');

    const requestId = `perm_${randomUUID()}`;
    const decision = new Promise<PermissionResult>((settle) => {
      this.pending.set(requestId, { turnId, input, settle });
    });
    signal.addEventListener(
      'abort',
      () => {
        const reason = 'The agent cancelled this tool call before it was answered.';
        if (this.settle(requestId, deny(reason))) {
          this.options.withdraw({ type: 'permission_cancelled', turnId, requestId, reason });
        }
      },
      { once: true },
    );
    const reason = decisionReason ?? title;
    this.options.ask({
      type: 'permission_request',
      turnId,
      requestId,
      tool,
      input,
      ...(reason ? { reason } : {}),
      ...(toolUseID ? { toolUseId: toolUseID } : {}),
    });
    return decision;
  };

  /**
   * The fence as a PreToolUse hook. Hooks run in every permission mode — `acceptEdits` and
   * `bypassPermissions` never call `canUseTool` for edits — so this is what actually holds the line.
   */
  readonly fenceHook: HookCallback = async (input) => {
    if (input.hook_event_name !== 'PreToolUse' || !isRecord(input.tool_input)) return {};
    const denial = await this.checkFence(input.tool_input);
    if (!denial) return {};
    return {
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: denial,
      },
    };
  };

  /** Applies the backend's answer. False when the request is unknown (already settled or never asked). */
  async respond(response: PermissionResponse): Promise<boolean> {
    const request = this.pending.get(response.requestId);
    if (!request) return false;
    if (!response.allow) {
      this.settle(response.requestId, deny(response.message ?? 'The user denied this tool call.'));
      return true;
    }
    const updatedInput = response.updatedInput ?? request.input;
    // An edited input gets the same fence as the original: approval never widens file access.
    const denial = response.updatedInput ? await this.checkFence(updatedInput) : undefined;
    this.settle(response.requestId, denial ? deny(denial) : { behavior: 'allow', updatedInput });
    return true;
  }

  /** Denies every open request (of one turn, or all): the turn was interrupted or the runner stops. */
  denyPending(message: string, turnId?: string): void {
    for (const [requestId, request] of this.pending) {
      if (turnId === undefined || request.turnId === turnId) this.settle(requestId, deny(message));
    }
  }

  /** Resolves an open request; false when it was already settled. */
  private settle(requestId: string, result: PermissionResult): boolean {
    const request = this.pending.get(requestId);
    if (!request) return false;
    this.pending.delete(requestId);
    request.settle(result);
    return true;
  }

  /** A denial message when the input names a path outside the worktree; fails closed on errors. */
  private async checkFence(input: Record<string, unknown>): Promise<string | undefined> {
    const root = this.options.fence.rootPath;
    try {
      const outside = await this.options.fence.findEscape(input);
      if (!outside) return undefined;
      log(`fence: denied a tool call whose ${outside.field} is outside the worktree`);
      return `${outside.value} is outside this session's worktree (${root}). ChatML only lets the agent use files inside it; work on a path under ${root} instead.`;
    } catch (error) {
      return `Could not check whether the path is inside this session's worktree (${root}): ${errorMessage(error)}`;
    }
  }
}

function deny(message: string): PermissionResult {
  return { behavior: 'deny', message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
