import { describe, expect, it } from 'vitest';
import { buildReplyContext } from './context.js';
import { HELPER_REPLY_TEXT, scriptByPrompt } from './script-by-prompt.js';
import type { MessagesRequestBody, RecordedRequest, ReplyContext, ScriptedMessage } from './types.js';
import { textReply } from './types.js';

const REMINDER = { type: 'text', text: '<system-reminder>\nAttribution …\n</system-reminder>\n' };
const TOOLS = [{ name: 'Write' }, { name: 'Bash' }];

function contextFor(body: Partial<MessagesRequestBody>): ReplyContext {
  const full: MessagesRequestBody = { messages: [], tools: TOOLS, ...body };
  const request: RecordedRequest = {
    method: 'POST',
    path: '/v1/messages',
    headers: {},
    body: full,
    receivedAt: 0,
  };
  return buildReplyContext(request, full, 0);
}

function textOf(reply: unknown): string {
  return (reply as ScriptedMessage).content
    .map((block) => (block.type === 'text' ? block.text : ''))
    .join('');
}

/** A conversation as Claude Code sends it: reminder + prompt, the environment as a system message. */
const firstTurn: MessagesRequestBody['messages'] = [
  { role: 'user', content: [REMINDER, { type: 'text', text: 'write a haiku' }] },
  {
    role: 'system',
    content: [
      { type: 'text', text: '# Environment\n - Primary working directory: /work/tree-1\n - Platform: linux' },
    ],
  },
];

describe('buildReplyContext', () => {
  it('reads the prompt without system reminders and the cwd from the environment message', () => {
    const context = contextFor({ messages: firstTurn });
    expect(context).toMatchObject({
      firstUserText: 'write a haiku',
      lastUserText: 'write a haiku',
      hasNewPrompt: true,
      cwd: '/work/tree-1',
      assistantMessageCount: 0,
      toolResults: [],
      toolNames: ['Write', 'Bash'],
    });
  });

  it('finds the cwd in the system prompt too, and the tool results of the last message', () => {
    const context = contextFor({
      system: [{ type: 'text', text: 'Primary working directory: /elsewhere' }],
      messages: [
        { role: 'user', content: 'do it' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Write', input: {} }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              is_error: true,
              content: [{ type: 'text', text: 'denied' }],
            },
          ],
        },
      ],
    });
    expect(context).toMatchObject({
      cwd: '/elsewhere',
      firstUserText: 'do it',
      assistantMessageCount: 1,
      hasNewPrompt: false,
      toolResults: [{ toolUseId: 'toolu_1', isError: true, text: 'denied' }],
    });
  });

  it('takes the latest prompt from a message that merged several', () => {
    const context = contextFor({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'first' },
            { type: 'text', text: '[Request interrupted by user]' },
            { type: 'text', text: 'second' },
          ],
        },
      ],
    });
    expect(context).toMatchObject({ firstUserText: 'first', lastUserText: 'second', hasNewPrompt: true });
  });
});

describe('scriptByPrompt', () => {
  const handler = scriptByPrompt({
    haiku: [textReply('Reply one.'), (ctx) => textReply(`Reply two in ${ctx.cwd}.`)],
    'write a haiku': [textReply('The longer key wins.')],
    poem: [textReply('Poem.')],
  });

  it('picks the step by the number of assistant messages, so a retry gets the same reply', async () => {
    const first = contextFor({ messages: [{ role: 'user', content: 'a haiku please' }] });
    const retry = contextFor({ messages: [{ role: 'user', content: 'a haiku please' }] });
    const second = contextFor({
      messages: [
        ...first.body.messages,
        { role: 'assistant', content: 'Reply one.' },
        { role: 'user', content: 'more' },
      ],
      system: 'Primary working directory: /w',
    });
    expect(textOf(await handler(first))).toBe('Reply one.');
    expect(textOf(await handler(retry))).toBe('Reply one.');
    expect(textOf(await handler(second))).toBe('Reply two in /w.');
  });

  it('prefers the longest matching key', async () => {
    expect(textOf(await handler(contextFor({ messages: firstTurn })))).toBe('The longer key wins.');
  });

  it('answers clearly, without throwing, when no script or no step is left', async () => {
    const unknown = contextFor({ messages: [{ role: 'user', content: 'something else' }] });
    const exhausted = contextFor({
      messages: [
        { role: 'user', content: 'poem' },
        { role: 'assistant', content: 'Poem.' },
        { role: 'user', content: 'again' },
      ],
    });
    expect(textOf(await handler(unknown))).toBe('[fake-anthropic] no script for prompt "something else"');
    expect(textOf(await handler(exhausted))).toBe('[fake-anthropic] script "poem" has no reply #2');
  });

  it('gives helper calls without tools (title generation) a short text', async () => {
    const helper = contextFor({ tools: [], messages: [{ role: 'user', content: 'haiku' }] });
    expect(textOf(await handler(helper))).toBe(HELPER_REPLY_TEXT);
  });
});
