import { HELPER_REPLY_TEXT, type ReplyHandler, type ScriptedReply, textReply } from '@chatml/testkit';

/**
 * Model replies a test holds back, to have a turn running (or a slot taken) for as long as it
 * needs: `reply(prompt)` answers "Done: <prompt>" once the test calls `release(prompt)`.
 */
export class HeldReplies {
  private readonly waiting = new Map<string, () => void>();

  reply(prompt: string): Promise<ScriptedReply> {
    return new Promise((resolve) => this.waiting.set(prompt, () => resolve(textReply(`Done: ${prompt}`))));
  }

  /** The model was asked `prompt` and is holding its answer. */
  has(prompt: string): boolean {
    return this.waiting.has(prompt);
  }

  release(prompt: string): void {
    this.waiting.get(prompt)?.();
  }

  /**
   * The fake model for these tests: prompts starting with "hold" are held, "hang" never answers,
   * anything else is "Done: <prompt>" at once (helper calls, such as titles, get their stock text).
   */
  readonly handler: ReplyHandler = (context) => {
    if (context.toolNames.length === 0) return textReply(HELPER_REPLY_TEXT);
    const prompt = context.lastUserText;
    if (prompt.startsWith('hang')) return { hang: true };
    if (prompt.startsWith('hold')) return this.reply(prompt);
    return textReply(`Done: ${prompt}`);
  };
}
