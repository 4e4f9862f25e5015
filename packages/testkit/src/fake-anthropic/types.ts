/**
 * What a test scripts the fake Messages API to answer. A reply is either an assistant message made of
 * blocks (streamed as SSE when the client asks for a stream), an HTTP error, or a hang.
 */

export type ScriptedBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string }
  /** `input` must be what the tool expects, e.g. `Write` needs an absolute `file_path` and `content`. */
  | { type: 'tool_use'; name: string; input: Record<string, unknown>; id?: string };

export interface StreamTiming {
  /** Split text, thinking and tool input JSON into deltas of this many characters (default: one delta). */
  chunkSize?: number;
  /** Wait this long before sending anything (status line included). */
  delayMs?: number;
  /** Wait this long between two deltas. */
  chunkDelayMs?: number;
}

export interface ScriptedMessage extends StreamTiming {
  content: ScriptedBlock[];
  /** Defaults to `tool_use` when any block is a tool_use, else `end_turn`. */
  stopReason?: string;
}

export interface ScriptedError {
  error: {
    /** HTTP status, e.g. 500, 429, 529. */
    status: number;
    /** Anthropic error type; derived from the status when omitted (`api_error`, `rate_limit_error`, …). */
    type?: string;
    message?: string;
    /** Sent as the `retry-after` header (seconds). */
    retryAfterSeconds?: number;
  };
  delayMs?: number;
}

/** Accept the request and send nothing until the client disconnects or the server closes. */
export interface ScriptedHang {
  hang: true;
}

export type ScriptedReply = ScriptedMessage | ScriptedError | ScriptedHang;

/** One HTTP request as the fake received it. */
export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. `/v1/messages?beta=true`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  body: unknown;
  receivedAt: number;
}

/** The subset of a Messages API request body the fake reads. Everything else is kept untouched. */
export interface MessagesRequestBody {
  model?: string;
  stream?: boolean;
  system?: string | Array<{ type: string; text?: string }>;
  messages: RequestMessage[];
  tools?: Array<{ name: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

export interface RequestMessage {
  /** `user`, `assistant`, and (in Claude Code's requests) `system` for mid-conversation context. */
  role: string;
  content: string | RequestContentBlock[];
}

export type RequestContentBlock = { type: string; [key: string]: unknown };

export interface ToolResultInfo {
  toolUseId: string;
  isError: boolean;
  /** The tool result's text (text blocks joined). */
  text: string;
}

/** What a reply handler gets to decide its answer from. */
export interface ReplyContext {
  request: RecordedRequest;
  body: MessagesRequestBody;
  /** Index of this request among all `/v1/messages` requests the server got (0-based). */
  requestIndex: number;
  /**
   * The conversation's first prompt: the first text block of the first user message, without Claude
   * Code's `<system-reminder>` blocks. Stable for the whole conversation, also after a resume (the
   * history is re-sent).
   */
  firstUserText: string;
  /** The latest prompt: the last own text block of the latest user message that has one. */
  lastUserText: string;
  /** True when the last message carries a new prompt (not only tool results). */
  hasNewPrompt: boolean;
  /** The tool results carried by the last message, when it is a user message answering tool calls. */
  toolResults: ToolResultInfo[];
  /** Assistant messages already in the history: which reply of the conversation this request wants. */
  assistantMessageCount: number;
  /** From the `Primary working directory: <path>` line Claude Code puts in every request. */
  cwd: string | undefined;
  /** Tool names the client advertised. Empty for helper calls such as title generation. */
  toolNames: string[];
}

export type ReplyHandler = (
  context: ReplyContext,
) => ScriptedReply | undefined | Promise<ScriptedReply | undefined>;

export function isScriptedError(reply: ScriptedReply): reply is ScriptedError {
  return 'error' in reply;
}

export function isScriptedHang(reply: ScriptedReply): reply is ScriptedHang {
  return 'hang' in reply;
}

/** `textReply('Hi')`: an assistant message with one text block. */
export function textReply(text: string, timing: StreamTiming = {}): ScriptedMessage {
  return { content: [{ type: 'text', text }], ...timing };
}

/** `toolUseReply('Write', {file_path, content}, {text: 'Writing it.'})`: optional text, then one tool call. */
export function toolUseReply(
  name: string,
  input: Record<string, unknown>,
  options: StreamTiming & { id?: string; text?: string } = {},
): ScriptedMessage {
  const { id, text, ...timing } = options;
  const content: ScriptedBlock[] = text === undefined ? [] : [{ type: 'text', text }];
  content.push(id === undefined ? { type: 'tool_use', name, input } : { type: 'tool_use', name, input, id });
  return { content, ...timing };
}
