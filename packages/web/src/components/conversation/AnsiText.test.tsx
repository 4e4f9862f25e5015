// @vitest-environment happy-dom
import '../../test/dom';
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AnsiText } from './AnsiText';

function renderAnsi(text: string): HTMLElement {
  render(<AnsiText text={text} />);
  return screen.getByTestId('ansi-output');
}

describe('AnsiText', () => {
  it('shows coloured output as themed spans without the escape codes', () => {
    const output = renderAnsi('\x1b[31mFAIL\x1b[0m src/a.test.ts \x1b[1;92m2 passed\x1b[0m');
    expect(output.textContent).toBe('FAIL src/a.test.ts 2 passed');
    expect(screen.getByText('FAIL').className).toBe('ansi-red-fg');
    expect(screen.getByText('2 passed').className).toBe('ansi-bright-green-fg ansi-bold');
  });

  it('renders 256-colour and true-colour codes as inline colours', () => {
    renderAnsi('\x1b[38;5;208morange\x1b[0m \x1b[38;2;10;20;30mdeep\x1b[0m \x1b[38;5;1mlow\x1b[0m');
    expect(screen.getByText('orange').style.color).toBe('rgb(255, 135, 0)');
    expect(screen.getByText('deep').style.color).toBe('rgb(10, 20, 30)');
    expect(screen.getByText('low').className).toBe('ansi-red-fg');
  });

  it('never turns output into markup', () => {
    const output = renderAnsi('\x1b[33m<img src=x onerror=alert(1)>\x1b[0m<b>bold?</b>');
    expect(output.querySelector('img')).toBeNull();
    expect(output.querySelector('b')).toBeNull();
    expect(output.textContent).toBe('<img src=x onerror=alert(1)><b>bold?</b>');
  });

  it('drops cursor movement and keeps plain text as is', () => {
    expect(renderAnsi('50%\x1b[2K\x1b[1Gdone\nnext line').textContent).toBe('50%done\nnext line');
  });
});
