// @vitest-environment happy-dom
import '../../test/dom';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ToolItem } from '../../state/transcript-types';
import { ToolCard } from './ToolCard';
import { WorktreeContext } from './worktree-context';

function tool(overrides: Partial<ToolItem>): ToolItem {
  return {
    kind: 'tool',
    key: 'tool:tu1',
    ts: 1000,
    turnId: 't1',
    toolUseId: 'tu1',
    tool: 'Bash',
    input: {},
    partialInput: '',
    state: 'ok',
    output: '',
    startedAt: 1000,
    endedAt: 3500,
    waitedMs: 0,
    waitingSince: undefined,
    ...overrides,
  };
}

describe('ToolCard', () => {
  it('shows a Bash command at once and its output on demand, with the duration', () => {
    render(
      <ToolCard
        item={tool({ input: { command: 'npm test', description: 'Run tests' }, output: '5 passed' })}
      />,
    );
    expect(screen.getByText('$ npm test')).toBeTruthy();
    expect(screen.getByText('Run tests')).toBeTruthy();
    expect(screen.getByText('2.5s')).toBeTruthy();
    expect(screen.queryByText('5 passed')).toBeNull();
    const toggle = screen.getByRole('button', { name: 'Output' });
    fireEvent.click(toggle);
    expect(screen.getByText('5 passed')).toBeTruthy();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
  });

  it('shows a spinner and its state while running', () => {
    const { container } = render(
      <ToolCard item={tool({ state: 'running', endedAt: undefined, input: { command: 'sleep 5' } })} />,
    );
    expect(screen.getByRole('article', { name: 'Bash running' })).toBeTruthy();
    expect(container.querySelector('.spinner')).not.toBeNull();
  });

  it('shows an Edit as its path, its change highlighted when expanded, with no made-up position', async () => {
    const input = {
      file_path: 'src/a.ts',
      old_string: 'function f() {\n  let a = 1;\n  return a;\n}',
      new_string: 'function f() {\n  const a = 1;\n  return a;\n}',
    };
    render(<ToolCard item={tool({ tool: 'Edit', input })} />);
    expect(screen.getByText('src/a.ts')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Details' }));
    const diff = await screen.findByTestId('tool-diff', {}, { timeout: 10_000 });
    expect(diff.getAttribute('aria-label')).toBe('Change to src/a.ts');
    const rows = (kind: string) =>
      [...diff.querySelectorAll(`[data-kind="${kind}"]`)].map((row) => row.textContent);
    // An Edit's snippet has no place in the file, so no line numbers: sign and text only.
    expect(rows('del')).toEqual(['-  let a = 1;']);
    expect(rows('add')).toEqual(['+  const a = 1;']);
    expect(rows('context')).toEqual([' function f() {', '   return a;', ' }']);
    // Nor a made-up hunk header ("@@ -1,4 +1,4 @@"), nor an empty row after the last line.
    expect(diff.textContent).not.toContain('@@');
    expect(diff.querySelector('.edit-snippet-lines')?.lastElementChild?.textContent).toBe(' }');
    await waitFor(() => expect(diff.querySelector('.hl')).not.toBeNull(), { timeout: 10_000 });
  });

  it('shows each edit of a MultiEdit as its own hunk, and a Write as added lines from line 1', async () => {
    const multi = {
      file_path: 'a.py',
      edits: [
        { old_string: 'x = 1', new_string: 'x = 2' },
        { old_string: 'y = 1', new_string: 'y = 2' },
      ],
    };
    const write = { file_path: 'notes.md', content: '# Notes\nhello' };
    render(
      <>
        <ToolCard item={tool({ key: 'm', tool: 'MultiEdit', input: multi })} />
        <ToolCard item={tool({ key: 'w', tool: 'Write', input: write })} />
      </>,
    );
    for (const button of screen.getAllByRole('button', { name: 'Details' })) fireEvent.click(button);
    const [multiDiff, writeDiff] = await screen.findAllByTestId('tool-diff', {}, { timeout: 10_000 });
    // Each edit its own piece, set apart by a plain rule rather than a made-up hunk header.
    expect(multiDiff?.querySelectorAll('.edit-snippet-break')).toHaveLength(1);
    expect(multiDiff?.textContent).not.toContain('@@');
    expect(
      [...(multiDiff?.querySelectorAll('[data-kind="add"]') ?? [])].map((row) => row.textContent),
    ).toEqual(['+x = 2', '+y = 2']);
    expect(
      [...(writeDiff?.querySelectorAll('[data-kind="add"]') ?? [])].map((row) => row.textContent),
    ).toEqual(['1+# Notes', '2+hello']);
  });

  it('shows paths inside the worktree relative to it, and others in full', () => {
    render(
      <WorktreeContext.Provider value="/wt/session">
        <ToolCard item={tool({ key: 'a', tool: 'Read', input: { file_path: '/wt/session/src/a.ts' } })} />
        <ToolCard item={tool({ key: 'b', tool: 'Read', input: { file_path: '/etc/passwd' } })} />
      </WorktreeContext.Provider>,
    );
    expect(screen.getByText('src/a.ts')).toBeTruthy();
    expect(screen.getByText('/etc/passwd')).toBeTruthy();
  });

  it('keeps Read, Grep and Glob to one line', () => {
    render(
      <>
        <ToolCard item={tool({ key: 'a', tool: 'Read', input: { file_path: 'README.md' } })} />
        <ToolCard item={tool({ key: 'b', tool: 'Grep', input: { pattern: 'TODO', path: 'src' } })} />
        <ToolCard item={tool({ key: 'c', tool: 'Glob', input: { pattern: '**/*.ts' } })} />
      </>,
    );
    expect(screen.getByText('README.md')).toBeTruthy();
    expect(screen.getByText('TODO in src')).toBeTruthy();
    expect(screen.getByText('**/*.ts')).toBeTruthy();
    expect(screen.queryAllByRole('button')).toHaveLength(0);
  });

  it('marks a failed tool and shows its error output', () => {
    render(
      <ToolCard item={tool({ tool: 'Read', state: 'error', input: { file_path: 'x' }, output: 'ENOENT' })} />,
    );
    expect(screen.getByRole('article', { name: 'Read failed' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Details' }));
    expect(screen.getByText('ENOENT').className).toContain('is-error');
  });

  it('leaves the time spent waiting for the user out of the duration, and says it is waiting', () => {
    const { rerender } = render(
      <ToolCard item={tool({ state: 'running', endedAt: undefined, waitingSince: 2000 })} />,
    );
    expect(screen.getByText('waiting for your approval')).toBeTruthy();
    rerender(<ToolCard item={tool({ startedAt: 1000, endedAt: 10_000, waitedMs: 6000 })} />);
    expect(screen.getByText('3.0s')).toBeTruthy();
  });
});
