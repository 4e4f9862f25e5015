export { DEMO_MODEL_LABEL, demoHandler } from './demo-handler.js';
export { HELPER_REPLY_TEXT, type ScriptStep, scriptByPrompt } from './script-by-prompt.js';
export { type FakeAnthropicOptions, FakeAnthropicServer } from './server.js';
export {
  type MessagesRequestBody,
  type RecordedRequest,
  type ReplyContext,
  type ReplyHandler,
  type RequestContentBlock,
  type RequestMessage,
  type ScriptedBlock,
  type ScriptedError,
  type ScriptedHang,
  type ScriptedMessage,
  type ScriptedReply,
  type StreamTiming,
  type ToolResultInfo,
  textReply,
  toolUseReply,
} from './types.js';
