// @vitest-environment happy-dom
import '../../test/dom';
import { render } from '@testing-library/react';
import { renderToStaticMarkup } from 'react-dom/server';
import ReactMarkdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { describe, expect, it } from 'vitest';
import { Markdown, plainProse, splitBlocks } from './Markdown';

describe('splitBlocks', () => {
  it('cuts at blank lines, but not inside fenced code nor before an indented continuation', () => {
    const text = [
      '# Title',
      '',
      'First paragraph',
      'still first.',
      '',
      '```ts',
      'a',
      '',
      'b',
      '```',
      '',
      '- item',
      '',
      '  more of item',
      '',
      'Last',
    ].join('\n');
    expect(splitBlocks(text)).toEqual([
      '# Title\n',
      'First paragraph\nstill first.\n',
      '```ts\na\n\nb\n```\n',
      '- item\n\n  more of item\n',
      'Last',
    ]);
  });

  it('cuts before a paragraph that starts with one space, but not before an indented list item', () => {
    expect(splitBlocks(' w1 lorem\n\n w2 lorem\n\n - item\n\n  more')).toEqual([
      ' w1 lorem\n',
      ' w2 lorem\n\n - item\n\n  more',
    ]);
  });

  it('keeps an unterminated fence (still streaming) in one block', () => {
    expect(splitBlocks('Intro\n\n```js\nx\n\ny')).toEqual(['Intro\n', '```js\nx\n\ny']);
  });
});

describe('Markdown', () => {
  it('renders the blocks as one document', () => {
    const { container } = render(<Markdown text={'# Hi\n\nSome *text*.\n\n- a\n- b'} />);
    expect(container.querySelector('h1')?.textContent).toBe('Hi');
    expect(container.querySelector('em')?.textContent).toBe('text');
    expect(container.querySelectorAll('li')).toHaveLength(2);
  });
});

const viaMarkdown = (text: string) =>
  renderToStaticMarkup(<ReactMarkdown remarkPlugins={[remarkGfm]}>{text}</ReactMarkdown>);
const viaBlock = (text: string) => {
  const html = renderToStaticMarkup(<Markdown text={text} />);
  return html.replace(/^<div class="markdown">/, '').replace(/<\/div>$/, '');
};

describe('Markdown blocks', () => {
  it('render what one pass of react-markdown renders', () => {
    // react-markdown puts a newline between top-level elements; the blocks are siblings without one.
    const tags = (html: string) => html.replace(/>\n</g, '><');
    for (const text of [
      ' w0 lorem w1 lorem\n\n w2 lorem w3 lorem\n\n w4 lorem',
      'Intro:\n\n - one\n - two\n\n After the list.',
      '- item\n\n - loose item\n\n End',
      '- item\n\n more text, not in the item',
      '> quoted\n\n Not quoted.',
      '1. first\n\n 2. second',
      '# Plan\n\n***\n\n Done *now*, **really**.',
    ]) {
      expect(tags(viaBlock(text))).toBe(tags(viaMarkdown(text)));
    }
  });
});

describe('plain prose blocks', () => {
  it('renders a plain line exactly as react-markdown would, without parsing it', () => {
    for (const text of [
      'Done. The tests pass now, and the build is green',
      'I changed three files (see below); nothing else moved',
      "It's 100% done, isn't it? Yes.",
      'w12 lorem w13 lorem w14',
      ' w1 lorem w2 lorem',
      '   three spaces in',
      'trailing spaces  ',
      ' w39 lorem, and the paragraph ends\n\n',
    ]) {
      expect(plainProse(text)).toBeDefined();
      expect(viaBlock(text)).toBe(viaMarkdown(text));
    }
  });

  it('leaves anything Markdown could give a meaning to, to the parser', () => {
    for (const text of [
      'Use `npm test`',
      'a *b* c',
      'snake_case',
      'see [docs](x)',
      '# Title',
      '- item',
      '1. first',
      '    indented code',
      'a & b',
      'mail me@example.com',
      'go to www.example.com',
      'https://example.com',
      'x | y',
      '~~gone~~',
      'line one\nline two',
      '<b>html</b>',
      'a \\ b',
      '\ta tab',
      '2) second',
    ]) {
      expect(plainProse(text)).toBeUndefined();
    }
  });
});
