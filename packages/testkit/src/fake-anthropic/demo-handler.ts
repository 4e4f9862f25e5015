import type { ReplyContext, ReplyHandler, ScriptedMessage, StreamTiming } from './types.js';

/**
 * ChatML's OFFLINE DEMO MODEL (`chatml serve --demo-model`): a scripted stand-in that lets someone try
 * the whole app — streaming, a tool call with its permission prompt, a diff — without an API key. It
 * never pretends to be Claude: every reply says it is the demo model.
 *
 * For each prompt it streams a short Markdown reply that echoes the request, calls `Write` to create
 * `chatml-demo/<slug>.md` in the session's working directory, and after the tool result sums up.
 * Deterministic: the same prompt always gets the same replies and the same file.
 */
export function demoHandler(timing: StreamTiming = { chunkSize: 12, chunkDelayMs: 15 }): ReplyHandler {
  return (context) => {
    const prompt = context.lastUserText.trim();
    if (context.toolNames.length === 0) return { content: [{ type: 'text', text: demoTitle(prompt) }] };
    const relativePath = `chatml-demo/${slugify(prompt)}.md`;
    if (context.toolResults.length > 0 && !context.hasNewPrompt)
      return { ...timing, content: [{ type: 'text', text: summary(context, relativePath) }] };
    return firstReply(context, prompt, relativePath, timing);
  };
}

export const DEMO_MODEL_LABEL = "ChatML's offline demo model";

/** Lowercase ASCII words joined by dashes, at most 48 characters; `note` when nothing is left. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return slug === '' ? 'note' : slug;
}

function demoTitle(prompt: string): string {
  const words = prompt.split(/\s+/).filter(Boolean).slice(0, 6).join(' ');
  return words === '' ? 'Demo session' : `Demo: ${words}`;
}

function quote(prompt: string): string {
  const shown = prompt.length > 500 ? `${prompt.slice(0, 500)}…` : prompt;
  return (shown === '' ? '(empty message)' : shown)
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

function firstReply(
  context: ReplyContext,
  prompt: string,
  relativePath: string,
  timing: StreamTiming,
): ScriptedMessage {
  const intro = [
    `**${DEMO_MODEL_LABEL}** — no real model is answering. This reply is scripted so you can try ChatML offline.`,
    '',
    'You asked:',
    '',
    quote(prompt),
    '',
  ];
  if (context.cwd === undefined || !context.toolNames.includes('Write')) {
    intro.push('I cannot write files in this session, so this reply is all the demo does.');
    return { ...timing, content: [{ type: 'text', text: intro.join('\n') }] };
  }
  intro.push(`I'll write a note about it to \`${relativePath}\`.`);
  const note = [
    `# ${prompt.split('\n')[0]?.slice(0, 80) || 'Demo note'}`,
    '',
    `Written by ${DEMO_MODEL_LABEL} — not a real model.`,
    '',
    '## Request',
    '',
    quote(prompt),
    '',
    '## What a real model would do',
    '',
    'Read the code in this worktree, make the change, and explain it. Give ChatML an Anthropic API key',
    'to get real work done.',
    '',
  ].join('\n');
  return {
    ...timing,
    content: [
      { type: 'text', text: intro.join('\n') },
      {
        type: 'tool_use',
        name: 'Write',
        input: { file_path: `${context.cwd}/${relativePath}`, content: note },
      },
    ],
  };
}

function summary(context: ReplyContext, relativePath: string): string {
  const failed = context.toolResults.find((result) => result.isError);
  if (failed) {
    return [
      `I could not write \`${relativePath}\`: ${failed.text.trim() || 'the tool call failed'}.`,
      '',
      `(${DEMO_MODEL_LABEL}; nothing else was changed.)`,
    ].join('\n');
  }
  return [
    `Done: I created \`${relativePath}\` in this session's worktree. Open the diff to see it.`,
    '',
    `(${DEMO_MODEL_LABEL} — connect a real model for actual work.)`,
  ].join('\n');
}
