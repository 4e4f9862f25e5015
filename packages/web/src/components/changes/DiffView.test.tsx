// @vitest-environment happy-dom
import '../../test/dom';
import type { FileDiff } from '@chatml/protocol';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DiffView, ROW_HEIGHT } from './DiffView';
import { parseFilePatch } from './diff-model';
import { FileDiffView } from './FileDiffView';
import { FileTree } from './FileTree';

/** As git prints it (3 lines of context) for `modifiedOldFile` with lines 11 and 41 changed. */
const modifiedPatch = [
  'diff --git a/src/math.ts b/src/math.ts',
  'index 1111111..2222222 100644',
  '--- a/src/math.ts',
  '+++ b/src/math.ts',
  '@@ -8,7 +8,8 @@ line 7',
  ' line 8',
  ' line 9',
  ' line 10',
  '-line 11',
  '+line eleven',
  '+line eleven and a half',
  ' line 12',
  ' line 13',
  ' line 14',
  '@@ -38,7 +39,7 @@ line 37',
  ' line 38',
  ' line 39',
  ' line 40',
  '-line 41',
  '+line forty-one',
  ' line 42',
  ' line 43',
  ' line 44',
  '',
].join('\n');

function fileDiff(overrides: Partial<FileDiff>): FileDiff {
  return {
    path: 'src/math.ts',
    oldPath: null,
    status: 'modified',
    additions: 3,
    deletions: 2,
    binary: false,
    patch: modifiedPatch,
    ...overrides,
  };
}

function rowsOf(container: HTMLElement, kind: string): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(`[data-kind="${kind}"]`)];
}

/** The old side's file of `modifiedPatch` (the merge-base): 49 lines, 5 after the last hunk. */
const modifiedOldFile = `${Array.from({ length: 49 }, (_, index) => `line ${index + 1}`).join('\n')}\n`;

/** A unified diff of `patch` whose collapsed lines can be fetched with `loadFile`. */
function renderUnified(patch: string, loadFile: () => Promise<string>) {
  return render(
    <DiffView
      model={parseFilePatch(patch)}
      mode="unified"
      language={undefined}
      label="Diff"
      loadFile={loadFile}
    />,
  );
}

describe('DiffView', () => {
  it('shows a unified diff with both line numbers, signs and hunk headers', () => {
    const { container } = render(
      <DiffView model={parseFilePatch(modifiedPatch)} mode="unified" language={undefined} label="Diff" />,
    );
    expect(screen.getByText('@@ -8,7 +8,8 @@ line 7')).toBeTruthy();
    const added = rowsOf(container, 'add');
    expect(added.map((row) => row.textContent)).toEqual([
      '11+line eleven',
      '12+line eleven and a half',
      '42+line forty-one',
    ]);
    const removed = rowsOf(container, 'del');
    expect(removed.map((row) => row.textContent)).toEqual(['11-line 11', '41-line 41']);
    expect(rowsOf(container, 'context')[0]?.textContent).toBe('88 line 8');
  });

  it('puts removals beside the additions that replace them in the split view', () => {
    const { container } = render(
      <DiffView model={parseFilePatch(modifiedPatch)} mode="split" language={undefined} label="Diff" />,
    );
    const pairs = [...container.querySelectorAll('.diff-pair')];
    const halves = (pair: Element | undefined) =>
      [...(pair?.querySelectorAll('.diff-half') ?? [])].map((half) => half.textContent);
    const firstChange = pairs.findIndex((pair) => pair.querySelector('[data-kind="del"]'));
    expect(halves(pairs[firstChange])).toEqual(['11-line 11', '11+line eleven']);
    // One more addition than removals: its left side is empty.
    expect(halves(pairs[firstChange + 1])).toEqual(['', '12+line eleven and a half']);
    expect(pairs[firstChange + 1]?.querySelector('.diff-empty')).not.toBeNull();
    expect(halves(pairs[0])).toEqual(['8 line 8', '8 line 8']);
  });

  it('keeps both halves of the split view in the pane however long a line is, and scrolls their code sideways together', () => {
    const long = `const long = "${'x'.repeat(300)}";`;
    const patch = [
      'diff --git a/a.ts b/a.ts',
      '--- a/a.ts',
      '+++ b/a.ts',
      '@@ -1 +1 @@',
      '-const a = 1;',
      `+${long}`,
      '',
    ];
    const { container } = render(
      <DiffView model={parseFilePatch(patch.join('\n'))} mode="split" language={undefined} label="Diff" />,
    );
    const view = container.querySelector<HTMLElement>('.diff-view');
    const rows = container.querySelector<HTMLElement>('.diff-rows');
    // The rows (and so each half) are as wide as the pane, never two longest lines wide…
    expect(rows?.style.width).toBe('100%');
    // …and the sideways scroll range comes from a spacer sized for the longest line.
    expect(container.querySelector<HTMLElement>('.diff-sideways')?.style.width).toMatch(
      /^calc\(100% \+ max\(0px, \d+ch - 50%\)\)$/,
    );
    if (!view) throw new Error('no diff view');
    view.scrollLeft = 120;
    fireEvent.scroll(view);
    expect(view.style.getPropertyValue('--diff-x')).toBe('120px');
  });

  it('collapses the unchanged lines before, between and after hunks, and expands them from the whole file', async () => {
    // 5 lines follow the last hunk (old 38–44): only the whole file says so, and it is fetched once.
    let loads = 0;
    const { container } = renderUnified(modifiedPatch, async () => {
      loads++;
      return modifiedOldFile;
    });
    await waitFor(() =>
      expect(screen.getAllByTestId('diff-gap').map((gap) => gap.textContent)).toEqual([
        'Expand 7 unchanged lines',
        'Expand 23 unchanged lines',
        'Expand 5 unchanged lines',
      ]),
    );
    expect(loads).toBe(1);
    fireEvent.click(screen.getByRole('button', { name: 'Expand 23 unchanged lines' }));
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Expand 23 unchanged lines' })).toBeNull(),
    );
    const context = rowsOf(container, 'context').map((row) => row.textContent);
    // Old line 15 is new line 16 (one line was added above it); the text comes from the old file.
    expect(context).toContain('1516 line 15');
    expect(context).toContain('3738 line 37');
    fireEvent.click(screen.getByRole('button', { name: 'Expand 7 unchanged lines' }));
    expect(rowsOf(container, 'context')[0]?.textContent).toBe('11 line 1');
    expect(loads).toBe(1);
  });

  describe('offers the rest of the file exactly when a line follows the last hunk', () => {
    // Line 17 of a 20-line file changed: git prints lines 14–16 before and 18–20 after it.
    const changedThreeBeforeEnd = [
      '--- a/list.txt',
      '+++ b/list.txt',
      '@@ -14,7 +14,7 @@ line 13',
      ' line 14',
      ' line 15',
      ' line 16',
      '-line 17',
      '+line seventeen',
      ' line 18',
      ' line 19',
      ' line 20',
      '',
    ].join('\n');
    const fileOf = (lineCount: number) =>
      `${Array.from({ length: lineCount }, (_, index) => `line ${index + 1}`).join('\n')}\n`;

    it('not when the trailing context ends at the end of the file (no line after it)', async () => {
      let loads = 0;
      renderUnified(changedThreeBeforeEnd, async () => {
        loads++;
        return fileOf(20);
      });
      await waitFor(() => expect(loads).toBe(1));
      // Once the file is known, only the 13 lines above the hunk are left to offer.
      await waitFor(() =>
        expect(screen.getAllByTestId('diff-gap').map((gap) => gap.textContent)).toEqual([
          'Expand 13 unchanged lines',
        ]),
      );
    });

    it('when one line follows the trailing context', async () => {
      renderUnified(changedThreeBeforeEnd, async () => fileOf(21));
      await waitFor(() =>
        expect(screen.getAllByTestId('diff-gap').map((gap) => gap.textContent)).toEqual([
          'Expand 13 unchanged lines',
          'Expand 1 unchanged line',
        ]),
      );
      fireEvent.click(screen.getByRole('button', { name: 'Expand 1 unchanged line' }));
      expect(screen.getByRole('region', { name: 'Diff' }).textContent).toContain('2121 line 21');
    });

    it('not while the file is unknown, nor when it cannot be fetched', async () => {
      let fail: (error: Error) => void = () => {};
      renderUnified(
        changedThreeBeforeEnd,
        () =>
          new Promise<string>((_, reject) => {
            fail = reject;
          }),
      );
      const gaps = () => screen.getAllByTestId('diff-gap').map((gap) => gap.textContent);
      expect(gaps()).toEqual(['Expand 13 unchanged lines']);
      fail(new Error('too large'));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(gaps()).toEqual(['Expand 13 unchanged lines']);
      // The fetch nobody asked for fails quietly.
      expect(screen.queryByRole('alert')).toBeNull();
    });
  });

  it('keeps the keyboard focus in the diff when an expanded gap row goes away', async () => {
    renderUnified(modifiedPatch, async () => modifiedOldFile);
    const gap = screen.getByRole('button', { name: 'Expand 7 unchanged lines' });
    gap.focus();
    fireEvent.click(gap);
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Expand 7 unchanged lines' })).toBeNull(),
    );
    expect(document.activeElement).toBe(screen.getByRole('region', { name: 'Diff' }));
  });

  it('offers nothing to expand around a file deleted or added whole (one side is empty)', () => {
    const deleted = ['--- a/gone.ts', '+++ /dev/null', '@@ -1,3 +0,0 @@', '-a', '-b', '-c', ''].join('\n');
    const added = ['--- /dev/null', '+++ b/new.ts', '@@ -0,0 +1,2 @@', '+x', '+y', ''].join('\n');
    for (const patch of [deleted, added]) {
      const { unmount } = renderUnified(patch, async () => 'a\nb\nc\n');
      expect(screen.queryAllByTestId('diff-gap')).toEqual([]);
      unmount();
    }
  });

  it('offers no "rest of the file" when the last hunk reaches the end of the file', () => {
    // Fewer than three unchanged lines after the change: git ran out of file.
    const changedNearEnd = [
      '--- a/list.txt',
      '+++ b/list.txt',
      '@@ -16,5 +16,5 @@ line 15',
      ' line 16',
      ' line 17',
      ' line 18',
      '-line 19',
      '+line nineteen',
      ' line 20',
      '',
    ].join('\n');
    // Three unchanged lines, but the last has no newline: that is the end too.
    const noFinalNewline = [
      '--- a/list.txt',
      '+++ b/list.txt',
      '@@ -14,7 +14,7 @@ line 13',
      ' line 14',
      ' line 15',
      ' line 16',
      '-line 17',
      '+line seventeen',
      ' line 18',
      ' line 19',
      ' line 20',
      '\\ No newline at end of file',
      '',
    ].join('\n');
    for (const patch of [changedNearEnd, noFinalNewline]) {
      const { container, unmount } = renderUnified(patch, async () => 'unused');
      expect(screen.getAllByTestId('diff-gap').map((gap) => gap.textContent)).toEqual([
        `Expand ${patch === changedNearEnd ? 15 : 13} unchanged lines`,
      ]);
      expect(container.querySelector('.diff-eof') !== null).toBe(patch === noFinalNewline);
      unmount();
    }
  });

  it('without a way to fetch the file, names the collapsed lines but offers no expand', () => {
    render(
      <DiffView model={parseFilePatch(modifiedPatch)} mode="unified" language={undefined} label="Diff" />,
    );
    expect(screen.getAllByTestId('diff-gap').map((gap) => gap.textContent)).toEqual([
      '⋯ 7 unchanged lines',
      '⋯ 23 unchanged lines',
    ]);
    expect(screen.queryAllByRole('button')).toHaveLength(0);
  });

  it('folds a long unchanged run inside a hunk and expands it in place', () => {
    const context = Array.from({ length: 20 }, (_, index) => ` keep ${index + 1}`);
    const patch = [
      '@@ -1,22 +1,22 @@',
      '-old first',
      '+new first',
      ...context,
      '-old last',
      '+new last',
      '',
    ].join('\n');
    const { container } = render(
      <DiffView model={parseFilePatch(patch)} mode="unified" language={undefined} label="Diff" />,
    );
    expect(rowsOf(container, 'context')).toHaveLength(6);
    fireEvent.click(screen.getByRole('button', { name: 'Expand 14 unchanged lines' }));
    expect(rowsOf(container, 'context')).toHaveLength(20);
  });

  it('renders only the rows in view of a very long diff, and highlights them', async () => {
    const lines = Array.from({ length: 20_000 }, (_, index) => `+const value${index} = ${index};`);
    const patch = ['@@ -0,0 +1,20000 @@', ...lines, ''].join('\n');
    const { container } = render(
      <DiffView model={parseFilePatch(patch)} mode="unified" language="typescript" label="Diff" />,
    );
    const rendered = container.querySelectorAll('.diff-row').length;
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(200);
    await waitFor(() => expect(container.querySelector('.diff-code .hl')).not.toBeNull(), {
      timeout: 15_000,
    });
    const keyword = [...container.querySelectorAll('.hl')].find((span) => span.textContent === 'const');
    expect(keyword).toBeTruthy();
  });

  it('shows the rows of the new place after a scroll, reusing the rows already in the DOM', async () => {
    const lines = Array.from({ length: 2_000 }, (_, index) => `+line ${index + 1}`);
    const patch = ['@@ -0,0 +1,2000 @@', ...lines, ''].join('\n');
    const { container } = render(
      <DiffView model={parseFilePatch(patch)} mode="unified" language={undefined} label="Diff" />,
    );
    const box = container.querySelector('.diff-view') as HTMLElement;
    const firstRows = [...container.querySelectorAll('.diff-line')];
    expect(firstRows[0]?.textContent).toContain('line 1');
    box.scrollTop = 1000 * ROW_HEIGHT;
    fireEvent.scroll(box);
    await waitFor(() => expect(container.querySelector('.diff-line')?.textContent).not.toContain('line 1'));
    const rows = [...container.querySelectorAll<HTMLElement>('.diff-line')];
    for (const row of rows) {
      const number = Number(/line (\d+)/.exec(row.textContent ?? '')?.[1]);
      // The hunk header is row 0, so line n is row n.
      expect(row.style.top).toBe(`${number * ROW_HEIGHT}px`);
    }
    expect(rows.some((row) => row.textContent?.includes('line 1001'))).toBe(true);
    expect(rows.filter((row) => firstRows.includes(row)).length).toBeGreaterThan(0);
  });
});

describe('FileDiffView', () => {
  it('names a renamed file by both paths', async () => {
    render(
      <FileDiffView
        file={fileDiff({ path: 'src/sum.ts', oldPath: 'src/math.ts', status: 'renamed' })}
        mode="unified"
        loadFile={undefined}
      />,
    );
    expect(screen.getByText('src/math.ts → src/sum.ts')).toBeTruthy();
    expect(screen.getByTestId('patch-view').getAttribute('aria-label')).toBe('Diff of src/sum.ts');
  });

  it('says a binary file has no text diff', () => {
    render(
      <FileDiffView
        file={fileDiff({
          path: 'logo.png',
          status: 'added',
          binary: true,
          patch: '',
          additions: 0,
          deletions: 0,
        })}
        mode="unified"
        loadFile={undefined}
      />,
    );
    expect(screen.getByTestId('patch-view').textContent).toBe('Binary file; no text diff.');
    expect(screen.getByText('binary')).toBeTruthy();
  });

  it('shows an added file as all additions from line 1', () => {
    const patch = [
      'diff --git a/notes.md b/notes.md',
      'new file mode 100644',
      'index 0000000..3333333',
      '--- /dev/null',
      '+++ b/notes.md',
      '@@ -0,0 +1,2 @@',
      '+# Notes',
      '+Written by the agent.',
      '',
    ].join('\n');
    const { container } = render(
      <FileDiffView
        file={fileDiff({ path: 'notes.md', status: 'added', patch, additions: 2, deletions: 0 })}
        mode="split"
        loadFile={undefined}
      />,
    );
    expect(rowsOf(container, 'add').map((half) => half.textContent)).toEqual([
      '1+# Notes',
      '2+Written by the agent.',
    ]);
    expect(rowsOf(container, 'del')).toHaveLength(0);
    expect(screen.queryAllByTestId('diff-gap')).toHaveLength(0);
  });
});

describe('FileTree', () => {
  const files = [
    fileDiff({ path: 'src/web/app.ts', additions: 5, deletions: 1 }),
    fileDiff({
      path: 'src/web/view.ts',
      oldPath: 'src/web/old-view.ts',
      status: 'renamed',
      additions: 0,
      deletions: 0,
    }),
    fileDiff({ path: 'src/server.ts', status: 'deleted', additions: 0, deletions: 30 }),
    fileDiff({ path: 'logo.png', status: 'added', binary: true, additions: 0, deletions: 0 }),
  ];

  it('groups files in folders with summed counts, and marks each file status', () => {
    let selected = '';
    render(<FileTree files={files} selectedPath="src/web/app.ts" onSelect={(path) => (selected = path)} />);
    const src = screen.getAllByTestId('changes-dir').find((dir) => dir.getAttribute('data-path') === 'src');
    expect(src?.textContent).toBe('▾src+5−31');
    const web = screen
      .getAllByTestId('changes-dir')
      .find((dir) => dir.getAttribute('data-path') === 'src/web');
    expect(web?.textContent).toBe('▾web+5−1');
    const renamed = screen.getByRole('button', {
      name: 'src/web/view.ts, renamed from src/web/old-view.ts, 0 added, 0 removed',
    });
    expect(within(renamed).getByText('R')).toBeTruthy();
    const binary = screen.getByRole('button', { name: 'logo.png, added, binary, 0 added, 0 removed' });
    expect(within(binary).getByText('bin')).toBeTruthy();
    expect(
      within(screen.getByRole('button', { name: /src\/server.ts, deleted/ })).getByText('−30'),
    ).toBeTruthy();
    expect(screen.getByRole('button', { name: /src\/web\/app.ts/ }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    fireEvent.click(binary);
    expect(selected).toBe('logo.png');
  });

  it('folds a folder away', () => {
    render(<FileTree files={files} selectedPath={undefined} onSelect={() => undefined} />);
    fireEvent.click(screen.getAllByTestId('changes-dir')[0] as HTMLElement);
    expect(screen.queryByRole('button', { name: /src\/server.ts/ })).toBeNull();
    expect(screen.getByRole('button', { name: /logo.png/ })).toBeTruthy();
  });
});
