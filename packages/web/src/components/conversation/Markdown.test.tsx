// @vitest-environment happy-dom
import '../../test/dom';
import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Markdown, splitBlocks } from './Markdown';

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
