import { type ReplyContext, type ReplyHandler, type ScriptedReply, textReply } from './types.js';

/** A reply, or a function that builds it from the request (e.g. to use `ctx.cwd` in a Write). */
export type ScriptStep = ScriptedReply | ((context: ReplyContext) => ScriptedReply);

/** What helper calls without tools (e.g. title generation) get. */
export const HELPER_REPLY_TEXT = 'Fake title';

/**
 * A handler for many conversations at once, keyed by their first user message: several SDK sessions
 * can share one fake server in any order. Each key is a substring of the conversation's first prompt
 * (the longest matching key wins); its steps are the conversation's replies in order. The step used
 * is the number of assistant messages already in the request, so an API retry gets the same reply
 * again and a resumed conversation (whose history is re-sent) goes on where it stopped.
 *
 * @example
 * scriptByPrompt({
 *   'write a file': [(ctx) => toolUseReply('Write', { file_path: `${ctx.cwd}/a.txt`, content: 'A' }), textReply('Done.')],
 *   'say hi': [textReply('Hi!')],
 * })
 */
export function scriptByPrompt(scripts: Record<string, ScriptStep[]>): ReplyHandler {
  const keys = Object.keys(scripts).sort((a, b) => b.length - a.length);
  return (context) => {
    if (context.toolNames.length === 0) return textReply(HELPER_REPLY_TEXT);
    const key = keys.find((candidate) => context.firstUserText.includes(candidate));
    if (key === undefined) {
      return textReply(
        `[fake-anthropic] no script for prompt ${JSON.stringify(context.firstUserText.slice(0, 200))}`,
      );
    }
    const step = scripts[key]?.[context.assistantMessageCount];
    if (step === undefined) {
      return textReply(
        `[fake-anthropic] script ${JSON.stringify(key)} has no reply #${context.assistantMessageCount + 1}`,
      );
    }
    return typeof step === 'function' ? step(context) : step;
  };
}
