import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PermissionResult } from '@anthropic-ai/claude-agent-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermissionBridge } from '../src/permission-bridge.js';
import { WorktreeFence } from '../src/worktree-fence.js';

let worktree: string;
let asked: Array<{ requestId: string; tool: string; input: unknown; turnId: string }>;
let withdrawn: Array<{ requestId: string; turnId: string; reason: string }>;
let activeTurn: string | undefined;
let bridge: PermissionBridge;

beforeEach(async () => {
  worktree = mkdtempSync(path.join(tmpdir(), 'chatml-bridge-'));
  asked = [];
  withdrawn = [];
  activeTurn = 't1';
  bridge = new PermissionBridge({
    fence: await WorktreeFence.create(worktree),
    ask: (request) => asked.push(request),
    withdraw: (cancelled) => withdrawn.push(cancelled),
    activeTurnId: () => activeTurn,
  });
});

afterEach(() => {
  rmSync(worktree, { recursive: true, force: true });
});

function canUseTool(input: Record<string, unknown>, signal = new AbortController().signal) {
  return bridge.canUseTool('Write', input, {
    signal,
    toolUseID: 'toolu_1',
    requestId: 'r1',
  }) as Promise<PermissionResult>;
}

async function nextRequestId(): Promise<string> {
  for (let i = 0; i < 100 && asked.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  const request = asked.shift();
  if (!request) throw new Error('nothing was asked');
  return request.requestId;
}

describe('PermissionBridge', () => {
  it('asks the backend and allows with the original input', async () => {
    const input = { file_path: path.join(worktree, 'a.txt'), content: 'A' };
    const decision = canUseTool(input);
    const requestId = await nextRequestId();

    expect(await bridge.respond({ session: 's', type: 'permission_response', requestId, allow: true })).toBe(
      true,
    );
    expect(await decision).toEqual({ behavior: 'allow', updatedInput: input });
    expect(bridge.pendingCount).toBe(0);
  });

  it('denies with the backend message, and does not know an answered request again', async () => {
    const decision = canUseTool({ file_path: path.join(worktree, 'a.txt') });
    const requestId = await nextRequestId();
    const response = {
      session: 's',
      type: 'permission_response' as const,
      requestId,
      allow: false,
      message: 'No.',
    };

    expect(await bridge.respond(response)).toBe(true);
    expect(await decision).toEqual({ behavior: 'deny', message: 'No.' });
    expect(await bridge.respond(response)).toBe(false);
  });

  it('fences an edited input too: approval never widens file access', async () => {
    const decision = canUseTool({ file_path: path.join(worktree, 'a.txt') });
    const requestId = await nextRequestId();
    await bridge.respond({
      session: 's',
      type: 'permission_response',
      requestId,
      allow: true,
      updatedInput: { file_path: '/etc/passwd' },
    });
    expect(await decision).toMatchObject({ behavior: 'deny', message: expect.stringContaining('outside') });
  });

  it('denies a path outside the worktree without asking', async () => {
    const decision = await canUseTool({ file_path: path.join(worktree, '..', 'x.txt') });
    expect(decision).toMatchObject({ behavior: 'deny' });
    expect(asked).toEqual([]);
  });

  it('denies when no turn runs, when the SDK cancels, and when the turn is interrupted', async () => {
    activeTurn = undefined;
    expect(await canUseTool({})).toMatchObject({ behavior: 'deny' });

    activeTurn = 't1';
    const controller = new AbortController();
    const cancelled = canUseTool({}, controller.signal);
    const cancelledId = await nextRequestId();
    controller.abort();
    expect(await cancelled).toMatchObject({ behavior: 'deny' });
    // The backend is told, so the UI stops showing a question nobody can answer any more.
    expect(withdrawn).toEqual([
      { type: 'permission_cancelled', turnId: 't1', requestId: cancelledId, reason: expect.any(String) },
    ]);

    const interrupted = canUseTool({});
    await nextRequestId();
    bridge.denyPending('The user interrupted this turn.', 't2');
    expect(bridge.pendingCount).toBe(1);
    bridge.denyPending('The user interrupted this turn.', 't1');
    expect(await interrupted).toEqual({ behavior: 'deny', message: 'The user interrupted this turn.' });
    expect(withdrawn).toHaveLength(1); // a denial the backend itself caused is not echoed back
  });

  it('as a PreToolUse hook, denies escapes in any mode and passes everything else', async () => {
    const hookInput = (toolInput: unknown) =>
      ({
        hook_event_name: 'PreToolUse',
        tool_name: 'Write',
        tool_input: toolInput,
        tool_use_id: 'toolu_1',
        session_id: 's',
        transcript_path: '',
        cwd: worktree,
      }) as never;
    const signal = new AbortController().signal;
    expect(
      await bridge.fenceHook(hookInput({ file_path: path.join(worktree, 'ok') }), 'toolu_1', { signal }),
    ).toEqual({});
    expect(await bridge.fenceHook(hookInput({ file_path: '/etc/x' }), 'toolu_1', { signal })).toMatchObject({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny' },
    });
  });
});
