import type { SDKMessage, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { MessageMapper, type TurnInfo } from '../src/message-mapper.js';

const turn: TurnInfo = { turnId: 't1', isInterruptRequested: false, startedAt: 1000 };

/** SDK messages carry many fields the mapper never reads; tests build only what matters. */
function sdk(message: Record<string, unknown>): SDKMessage {
  return { parent_tool_use_id: null, session_id: 'sdk-1', uuid: 'u', ...message } as unknown as SDKMessage;
}

function streamEvent(event: Record<string, unknown>): SDKMessage {
  return sdk({ type: 'stream_event', event });
}

function assistant(id: string, block: Record<string, unknown>): SDKMessage {
  return sdk({ type: 'assistant', message: { id, role: 'assistant', content: [block] } });
}

function result(fields: Record<string, unknown>): SDKResultMessage {
  return {
    type: 'result',
    subtype: 'success',
    is_error: false,
    result: 'done',
    num_turns: 1,
    total_cost_usd: 0.01,
    usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 2, cache_creation_input_tokens: 0 },
    ...fields,
  } as unknown as SDKResultMessage;
}

describe('MessageMapper', () => {
  it('announces ready once per SDK session', () => {
    const mapper = new MessageMapper();
    const init = sdk({ type: 'system', subtype: 'init', session_id: 'sdk-1', model: 'm', tools: ['Write'] });
    expect(mapper.map(init, undefined)).toEqual([
      { type: 'ready', sdkSessionId: 'sdk-1', model: 'm', tools: ['Write'] },
    ]);
    expect(mapper.map(init, turn)).toEqual([]);
  });

  it('turns stream deltas into stream_delta events with message id and block index', () => {
    const mapper = new MessageMapper();
    mapper.map(streamEvent({ type: 'message_start', message: { id: 'msg_1' } }), turn);
    const delta = (index: number, d: Record<string, unknown>) =>
      mapper.map(streamEvent({ type: 'content_block_delta', index, delta: d }), turn);

    expect(delta(0, { type: 'thinking_delta', thinking: 'hmm' })).toEqual([
      {
        type: 'stream_delta',
        turnId: 't1',
        messageId: 'msg_1',
        blockIndex: 0,
        kind: 'thinking',
        text: 'hmm',
      },
    ]);
    expect(delta(0, { type: 'signature_delta', signature: 'sig' })).toEqual([]);
    expect(delta(1, { type: 'text_delta', text: 'Hi' })).toMatchObject([
      { kind: 'text', blockIndex: 1, text: 'Hi' },
    ]);
    expect(delta(2, { type: 'input_json_delta', partial_json: '{"a":' })).toMatchObject([
      { kind: 'tool_input', blockIndex: 2, text: '{"a":' },
    ]);
  });

  it("names the tool on its input deltas, from the block's start (a call cut short still says which)", () => {
    const mapper = new MessageMapper();
    const map = (event: Record<string, unknown>) => mapper.map(streamEvent(event), turn);
    map({ type: 'message_start', message: { id: 'msg_1' } });
    expect(
      map({
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'Write', input: {} },
      }),
    ).toEqual([]);
    expect(
      map({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{' } }),
    ).toEqual([
      {
        type: 'stream_delta',
        turnId: 't1',
        messageId: 'msg_1',
        blockIndex: 1,
        kind: 'tool_input',
        text: '{',
        toolName: 'Write',
      },
    ]);
    // A new message's blocks start over: index 1 there is not the Write.
    map({ type: 'message_start', message: { id: 'msg_2' } });
    expect(
      map({
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '{' },
      })[0],
    ).not.toHaveProperty('toolName');
  });

  it('gathers the per-block assistant messages into one assistant_message, then tool_use events', () => {
    const mapper = new MessageMapper();
    const toolUse = { type: 'tool_use', id: 'toolu_1', name: 'Write', input: { file_path: '/w/a' } };
    expect(mapper.map(assistant('msg_1', { type: 'text', text: 'Writing.' }), turn)).toEqual([]);
    expect(mapper.map(assistant('msg_1', toolUse), turn)).toEqual([]);

    expect(mapper.map(streamEvent({ type: 'message_stop' }), turn)).toEqual([
      {
        type: 'assistant_message',
        turnId: 't1',
        messageId: 'msg_1',
        content: [{ type: 'text', text: 'Writing.' }, toolUse],
      },
      { type: 'tool_use', turnId: 't1', id: 'toolu_1', tool: 'Write', input: { file_path: '/w/a' } },
    ]);
    expect(mapper.flush()).toEqual([]);
  });

  it('sends held-back content before a tool result and keeps unknown blocks', () => {
    const mapper = new MessageMapper();
    mapper.map(assistant('msg_1', { type: 'redacted_thinking', data: 'x' }), turn);
    const events = mapper.map(
      sdk({
        type: 'user',
        message: {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'File created' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              is_error: true,
              content: [{ type: 'text', text: 'no' }],
            },
          ],
        },
      }),
      turn,
    );
    expect(events).toEqual([
      {
        type: 'assistant_message',
        turnId: 't1',
        messageId: 'msg_1',
        content: [{ type: 'other', raw: { type: 'redacted_thinking', data: 'x' } }],
      },
      { type: 'tool_result', turnId: 't1', id: 'toolu_1', ok: true, output: 'File created' },
      { type: 'tool_result', turnId: 't1', id: 'toolu_2', ok: false, output: 'no' },
    ]);
  });

  it('ignores subagent traffic', () => {
    const mapper = new MessageMapper();
    const sub = sdk({
      type: 'assistant',
      parent_tool_use_id: 'toolu_task',
      message: { id: 'm', content: [{ type: 'text', text: 'inner' }] },
    });
    expect(mapper.map(sub, turn)).toEqual([]);
    expect(mapper.flush()).toEqual([]);
  });

  it('maps results, with per-turn cost from the cumulative total and the API error status', () => {
    const mapper = new MessageMapper();
    mapper.startQuery(false);
    const [first] = mapper.mapResult(result({ total_cost_usd: 0.01 }), turn, 1250);
    const [second] = mapper.mapResult(
      result({ total_cost_usd: 0.025, is_error: true, api_error_status: 500, result: 'API Error: 500' }),
      { ...turn, turnId: 't2', isInterruptRequested: true },
      2000,
    );
    expect(first).toEqual({
      type: 'result',
      turnId: 't1',
      result: {
        subtype: 'success',
        isError: false,
        interrupted: false,
        text: 'done',
        usage: { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 2, cacheCreationInputTokens: 0 },
        costUsd: 0.01,
        totalCostUsd: 0.01,
        durationMs: 250,
        numTurns: 1,
      },
    });
    expect(second).toMatchObject({
      turnId: 't2',
      result: {
        isError: true,
        interrupted: true,
        apiErrorStatus: 500,
        text: 'API Error: 500',
        totalCostUsd: 0.025,
      },
    });
    expect(second?.type === 'result' && second.result.costUsd).toBeCloseTo(0.015);
  });

  it('leaves out the cost of the first turn of a resumed query, which it cannot know', () => {
    const mapper = new MessageMapper();
    mapper.startQuery(true);
    const [resumed] = mapper.mapResult(result({ total_cost_usd: 0.5 }), turn);
    const [next] = mapper.mapResult(result({ total_cost_usd: 0.6 }), turn);
    expect(resumed?.type === 'result' && resumed.result.costUsd).toBeUndefined();
    expect(resumed?.type === 'result' && resumed.result.totalCostUsd).toBe(0.5);
    expect(next?.type === 'result' && next.result.costUsd).toBeCloseTo(0.1);
  });

  it('reports the errors of an error subtype as the result text', () => {
    const mapper = new MessageMapper();
    const [event] = mapper.mapResult(
      result({ subtype: 'error_max_turns', is_error: true, errors: ['too many turns'], result: undefined }),
      turn,
    );
    expect(event).toMatchObject({ result: { subtype: 'error_max_turns', text: 'too many turns' } });
  });

  it('leaves the SDK’s internal diagnostics out of the result text', () => {
    const mapper = new MessageMapper();
    const diagnostic = '[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=null';
    const [event] = mapper.mapResult(
      result({ subtype: 'error_during_execution', is_error: true, errors: [diagnostic], result: undefined }),
      turn,
    );
    expect(event).toMatchObject({ result: { subtype: 'error_during_execution', text: '' } });
  });
});
