import { memo } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { CodeBlock } from './CodeBlock';

const components: Components = {
  // Block code renders its own <pre> in CodeBlock, so the wrapper adds nothing.
  pre: ({ children }) => <>{children}</>,
  code: ({ className, children }) => {
    const text = String(children ?? '');
    const language = /language-([\w+-]+)/.exec(className ?? '')?.[1];
    const isBlock = language !== undefined || text.includes('\n');
    if (!isBlock) return <code className="inline-code">{children}</code>;
    return <CodeBlock code={text.replace(/\n$/, '')} language={language} />;
  },
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
};

const remarkPlugins = [remarkGfm];

/**
 * Whether a line after a blank line starts a block of its own. A list item's content continues
 * only on lines indented at least two columns, so one leading space is still a new block (streamed
 * text often puts the space before a word: `\n\n Then…`), unless that line is itself a list item,
 * which could join the list above and make it loose.
 */
function startsBlock(line: string): boolean {
  return /^ ?\S/.test(line) && !/^ (?:[-*+]|\d{1,9}[.)])(?:\s|$)/.test(line);
}

/**
 * Cuts text into top-level blocks at blank lines, except inside fenced code and before an indented
 * line (a list item's continuation). While an answer streams only its last block changes, so each
 * frame re-parses one paragraph instead of the whole answer.
 */
export function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  let start = 0;
  let fence: string | undefined;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || (marker[0] === fence[0] && marker.length >= fence.length)))
      fence = fence === undefined ? marker : undefined;
    const next = newline === -1 ? '' : text.slice(newline + 1, text.indexOf('\n', newline + 1) >>> 0);
    const isBlank = line.trim() === '';
    if (fence === undefined && isBlank && lineStart > start && startsBlock(next)) {
      blocks.push(text.slice(start, lineStart));
      start = newline + 1;
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  blocks.push(text.slice(start));
  return blocks.filter((block) => block.trim() !== '');
}

/**
 * A block that is one line of plain prose: no character Markdown or GFM gives a meaning to (so no
 * emphasis, code, link, HTML, entity, escape, table or autolink), no list or heading marker, and
 * not indented as code. react-markdown renders such a block as exactly `<p>{the trimmed line}</p>`;
 * parsing it to find that out is the largest script cost of a streaming frame, since the last block
 * is re-parsed in every frame while it grows (bench/ui-delta-paint.mjs). Returns the paragraph's
 * text, or undefined when the block needs the parser. `Markdown.test.tsx` checks the equivalence.
 */
export function plainProse(block: string): string | undefined {
  // A paragraph the stream has just ended ends in blank lines: still one plain line (and the last
  // block of every answer whose latest delta ends a paragraph, so it would be parsed once a paragraph).
  const line = block.replace(/\n+$/, '');
  if (/[\n\t\\`*_[\]<>#|~&!@=+:{}$^-]/.test(line) || /^ {4}/.test(line) || /www\./i.test(line))
    return undefined;
  const text = line.trim();
  if (text === '' || /^\d+[.)]/.test(text)) return undefined;
  return text;
}

const MarkdownBlock = memo(function MarkdownBlock({ text }: { text: string }) {
  const prose = plainProse(text);
  if (prose !== undefined) return <p>{prose}</p>;
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} components={components}>
      {text}
    </ReactMarkdown>
  );
});

/**
 * Assistant text as GitHub-flavoured Markdown. react-markdown builds React elements (no raw HTML is
 * rendered) and drops `javascript:` links, so model output cannot inject markup. Blocks are parsed
 * and memoised one by one (see `splitBlocks`).
 */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const blocks = splitBlocks(text);
  return (
    <div className="markdown">
      {blocks.map((block, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: blocks only grow at the end while streaming
        <MarkdownBlock key={index} text={block} />
      ))}
    </div>
  );
});
