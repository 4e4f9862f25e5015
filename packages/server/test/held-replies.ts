import { type ScriptedReply, textReply } from '@chatml/testkit';

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
}
