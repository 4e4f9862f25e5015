import type {
  MessagesRequestBody,
  RecordedRequest,
  ReplyContext,
  RequestContentBlock,
  RequestMessage,
  ToolResultInfo,
} from './types.js';

const SYSTEM_REMINDER = '<system-reminder>';
const CWD_LINE = /Primary working directory: ([^\n]+)/;

function blocksOf(message: RequestMessage): RequestContentBlock[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  return value
    .map((block) => (block && typeof block === 'object' && typeof block.text === 'string' ? block.text : ''))
    .join('');
}

/**
 * A user message's own text blocks. Claude Code prepends `<system-reminder>` blocks, which are
 * dropped, and merges follow-up prompts into one message when the turn before ended without an
 * assistant reply (e.g. it was interrupted), so there can be several.
 */
export function userTexts(message: RequestMessage): string[] {
  return blocksOf(message)
    .filter((block) => block.type === 'text' && typeof block.text === 'string')
    .map((block) => (block.text as string).trim())
    .filter((text) => text !== '' && !text.startsWith(SYSTEM_REMINDER));
}

function toolResultsOf(message: RequestMessage): ToolResultInfo[] {
  return blocksOf(message)
    .filter((block) => block.type === 'tool_result')
    .map((block) => ({
      toolUseId: String(block.tool_use_id ?? ''),
      isError: block.is_error === true,
      text: textOf(block.content),
    }));
}

/**
 * Claude Code has moved the environment section around between versions (system prompt, then a
 * mid-conversation `system` message), so every text of the request is searched.
 */
function findCwd(body: MessagesRequestBody): string | undefined {
  const texts = [textOf(body.system), ...body.messages.map((message) => textOf(message.content))];
  for (const text of texts) {
    const match = CWD_LINE.exec(text);
    if (match?.[1]) return match[1].trim();
  }
  return undefined;
}

export function isMessagesBody(body: unknown): body is MessagesRequestBody {
  return (
    typeof body === 'object' && body !== null && Array.isArray((body as { messages?: unknown }).messages)
  );
}

export function buildReplyContext(
  request: RecordedRequest,
  body: MessagesRequestBody,
  requestIndex: number,
): ReplyContext {
  const messages = body.messages;
  const userMessages = messages.filter((message) => message.role === 'user');
  const firstUser = userMessages[0];
  const lastMessage = messages.filter((message) => message.role !== 'system').at(-1);
  const lastPrompt = [...userMessages].reverse().find((message) => userTexts(message).length > 0);
  const isUserLast = lastMessage?.role === 'user';
  return {
    request,
    body,
    requestIndex,
    firstUserText: (firstUser && userTexts(firstUser)[0]) ?? '',
    lastUserText: (lastPrompt && userTexts(lastPrompt).at(-1)) ?? '',
    hasNewPrompt: isUserLast && lastMessage !== undefined && userTexts(lastMessage).length > 0,
    toolResults: isUserLast && lastMessage ? toolResultsOf(lastMessage) : [],
    assistantMessageCount: messages.filter((message) => message.role === 'assistant').length,
    cwd: findCwd(body),
    toolNames: (body.tools ?? []).map((tool) => tool.name).filter((name) => typeof name === 'string'),
  };
}
