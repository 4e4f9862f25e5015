// @vitest-environment happy-dom
import '../../test/dom';
import { render, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CodeBlock } from './CodeBlock';

describe('CodeBlock', () => {
  it('shows plain code at once and coloured tokens once the highlighter has loaded', async () => {
    const code = 'const answer: number = 42;\nexport { answer };';
    const { container } = render(<CodeBlock code={code} language="ts" />);
    const pre = container.querySelector('pre');
    expect(pre?.textContent).toBe(code);
    expect(pre?.getAttribute('data-highlighted')).toBe('false');
    expect(container.querySelector('.hl')).toBeNull();

    await waitFor(() => expect(pre?.getAttribute('data-highlighted')).toBe('true'), { timeout: 10_000 });
    expect(pre?.textContent).toBe(code);
    const keyword = [...container.querySelectorAll<HTMLElement>('.hl')].find(
      (span) => span.textContent === 'const',
    );
    expect(keyword?.className).toBe('hl hl-keyword');
  });

  it('keeps a block in a language without a grammar plain', async () => {
    const { container } = render(<CodeBlock code="just words" language="klingon" />);
    expect(container.querySelector('pre')?.textContent).toBe('just words');
    expect(container.querySelector('.hl')).toBeNull();
  });

  it('keeps the colours of complete lines while a block grows, and colours the rest once it settles', async () => {
    const first = 'let a = 1;\nlet b';
    const { container, rerender } = render(<CodeBlock code={first} language="javascript" />);
    const pre = () => container.querySelector('pre');
    await waitFor(() => expect(pre()?.getAttribute('data-highlighted')).toBe('true'), { timeout: 10_000 });
    const grown = `${first} = 2;\nlet c = 3;`;
    rerender(<CodeBlock code={grown} language="javascript" />);
    expect(pre()?.textContent).toBe(grown);
    expect(pre()?.getAttribute('data-highlighted')).toBe('false');
    const lines = [...(pre()?.querySelectorAll('code > span') ?? [])];
    expect(lines[0]?.querySelector('.hl')).not.toBeNull();
    expect(lines[1]?.querySelector('.hl')).toBeNull();
    await waitFor(() => expect(pre()?.getAttribute('data-highlighted')).toBe('true'), { timeout: 10_000 });
    expect(pre()?.querySelectorAll('code > span')[2]?.querySelector('.hl')).not.toBeNull();
  });
});
