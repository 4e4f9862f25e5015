import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import { errorMessage } from './log.js';

type UserContent = SDKUserMessage['message']['content'];
type UserBlock = Exclude<UserContent, string>[number];

export interface Attachment {
  path: string;
  mediaType?: string | undefined;
}

/**
 * The `prompt` of a streaming-input `query()`: an async iterable that stays open for the whole
 * session, so each follow-up turn reuses the running `claude` process. Closing it ends the CLI's
 * stdin, which is how the CLI is asked to exit cleanly.
 */
export class UserInputQueue implements AsyncIterable<SDKUserMessage> {
  private readonly items: SDKUserMessage[] = [];
  private wake: (() => void) | undefined;
  private isClosed = false;

  push(message: SDKUserMessage): void {
    if (this.isClosed) throw new Error('the SDK input is closed');
    this.items.push(message);
    this.wake?.();
  }

  close(): void {
    this.isClosed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SDKUserMessage> {
    for (;;) {
      const next = this.items.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.isClosed) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** A user turn as the SDK takes it. Images are inlined; other attachments are named by path. */
export async function toSdkUserMessage(
  text: string,
  attachments: Attachment[] = [],
): Promise<SDKUserMessage> {
  const blocks: UserBlock[] = [];
  const notes: string[] = [];
  for (const attachment of attachments) {
    const mediaType = attachment.mediaType ?? guessMediaType(attachment.path);
    if (mediaType && IMAGE_TYPES.has(mediaType)) {
      try {
        const data = (await readFile(attachment.path)).toString('base64');
        blocks.push({
          type: 'image',
          source: { type: 'base64', media_type: mediaType as 'image/png', data },
        });
      } catch (error) {
        notes.push(`(The attached image ${attachment.path} could not be read: ${errorMessage(error)})`);
      }
    } else {
      notes.push(`Attached file: ${attachment.path}`);
    }
  }
  const fullText = [text, ...notes].filter((part) => part !== '').join('\n\n');
  const content: UserContent =
    blocks.length === 0 ? fullText : ([...blocks, { type: 'text', text: fullText }] as UserContent);
  return { type: 'user', message: { role: 'user', content }, parent_tool_use_id: null };
}

function guessMediaType(filePath: string): string | undefined {
  const extension = path.extname(filePath).toLowerCase();
  const known: Record<string, string> = {
    '.png': 'image/png',
    '.jpg': 'image/jpeg',
    '.jpeg': 'image/jpeg',
    '.gif': 'image/gif',
    '.webp': 'image/webp',
  };
  return known[extension];
}
