import { DIFF_CONTEXT_LINES } from '@chatml/protocol';
import type { DiffHunk, DiffLine, DiffModel } from './diff-model';

/**
 * The rows the viewer shows, one fixed-height row each (which is what makes the list cheap to
 * virtualise): hunk headers, collapsed unchanged lines, and diff lines — one per line in the
 * unified view, old and new side by side in the split view.
 */
export type DiffRow =
  | { type: 'hunk'; key: string; header: string }
  | { type: 'gap'; key: string; gapId: string; count: number; needsFile: boolean }
  | { type: 'line'; key: string; line: DiffLine }
  | { type: 'pair'; key: string; left: DiffLine | undefined; right: DiffLine | undefined };

export type DiffMode = 'unified' | 'split';

/** Runs of unchanged lines inside a hunk at least this long are folded, keeping FOLD_KEEP each side. */
const FOLD_MIN = 12;
const FOLD_KEEP = 3;

/**
 * A hunk's old and new line ranges as [from, to). jsdiff already moves an empty side's start to
 * the line after it (git prints `-5,0` for "after line 5"; jsdiff gives oldStart 6).
 */
function ranges(hunk: { oldStart: number; oldLines: number; newStart: number; newLines: number }) {
  return {
    oldFrom: hunk.oldStart,
    oldTo: hunk.oldStart + hunk.oldLines,
    newFrom: hunk.newStart,
    newTo: hunk.newStart + hunk.newLines,
  };
}

/** Unchanged old lines [oldFrom, oldTo) from the old file; `newOffset` maps them to new numbers. */
function unchangedLines(model: DiffModel, oldFrom: number, oldTo: number, newOffset: number): DiffLine[] {
  const lines: DiffLine[] = [];
  for (let number = oldFrom; number < oldTo; number++) {
    lines.push({
      kind: 'context',
      text: model.oldText[number - 1] ?? '',
      oldNumber: number,
      newNumber: number + newOffset,
      oldIndex: number - 1,
      newIndex: undefined,
      hasNoNewline: false,
    });
  }
  return lines;
}

type Entry = { kind: 'row'; row: DiffRow } | { kind: 'lines'; key: string; lines: DiffLine[] };

/**
 * `expanded` holds the ids of gaps and folds the user opened. Gaps between hunks can only show
 * their lines once the model has the old side's whole file (`withFullOldText`); until then a gap
 * says `needsFile`.
 */
export function buildRows(model: DiffModel, mode: DiffMode, expanded: ReadonlySet<string>): DiffRow[] {
  const entries: Entry[] = [];
  let oldEnd = 1;
  let newEnd = 1;
  const gap = (gapId: string, count: number, oldFrom: number, oldTo: number, newOffset: number) => {
    if (count <= 0) return false;
    const isOpen = expanded.has(gapId) && model.hasFullOldText;
    if (isOpen) {
      entries.push({ kind: 'lines', key: gapId, lines: unchangedLines(model, oldFrom, oldTo, newOffset) });
      return true;
    }
    entries.push({
      kind: 'row',
      row: { type: 'gap', key: gapId, gapId, count, needsFile: !model.hasFullOldText },
    });
    return false;
  };

  model.hunks.forEach((hunk, hunkIndex) => {
    const { oldFrom, oldTo, newFrom, newTo } = ranges(hunk);
    const isGapOpen = gap(`gap:${hunkIndex}`, oldFrom - oldEnd, oldEnd, oldFrom, newFrom - oldFrom);
    if (!isGapOpen)
      entries.push({ kind: 'row', row: { type: 'hunk', key: `hunk:${hunkIndex}`, header: hunk.header } });
    foldContext(hunk.lines, `fold:${hunkIndex}`, expanded, entries);
    oldEnd = oldTo;
    newEnd = newTo;
  });
  // Offered only when a line is known to follow the last hunk (see linesAfterLastHunk).
  const after = linesAfterLastHunk(model) ?? 0;
  gap('gap:end', after, oldEnd, oldEnd + after, newEnd - oldEnd);
  return mode === 'unified' ? unifiedRows(entries) : splitRows(entries);
}

/**
 * How many unchanged lines follow the last hunk (the same on both sides), or undefined when the
 * patch cannot say and the old side's whole file is not loaded yet. Git ends a hunk with
 * DIFF_CONTEXT_LINES unchanged lines unless the file ends first, and marks a last line without a
 * newline: fewer than that many, or the mark, is the end. With exactly that many the file may or
 * may not go on — only the whole file tells (DiffView fetches it then, to offer the rest exactly).
 */
export function linesAfterLastHunk(model: DiffModel): number | undefined {
  const lastHunk = model.hunks.at(-1);
  // A file added or deleted whole has one side empty: no line is unchanged, nothing follows.
  const isOneSideEmpty =
    model.hunks.every((hunk) => hunk.newLines === 0) || model.hunks.every((hunk) => hunk.oldLines === 0);
  if (!lastHunk || isOneSideEmpty || reachesEndOfFile(lastHunk)) return 0;
  if (!model.hasFullOldText) return undefined;
  const { oldTo } = ranges(lastHunk);
  return Math.max(0, model.oldText.length + 1 - oldTo);
}

function reachesEndOfFile(hunk: DiffHunk): boolean {
  if (hunk.lines.some((line) => line.hasNoNewline)) return true;
  let trailing = 0;
  for (let index = hunk.lines.length - 1; index >= 0 && hunk.lines[index]?.kind === 'context'; index--)
    trailing++;
  return trailing < DIFF_CONTEXT_LINES;
}

function foldContext(lines: DiffLine[], idPrefix: string, expanded: ReadonlySet<string>, entries: Entry[]) {
  let start = 0;
  let runStart = -1;
  const flush = (end: number) => {
    if (end > start)
      entries.push({ kind: 'lines', key: `${idPrefix}:${start}`, lines: lines.slice(start, end) });
  };
  for (let index = 0; index <= lines.length; index++) {
    const isContext = index < lines.length && lines[index]?.kind === 'context';
    if (isContext) {
      if (runStart === -1) runStart = index;
      continue;
    }
    if (runStart !== -1 && index - runStart >= FOLD_MIN) {
      const foldFrom = runStart + FOLD_KEEP;
      const foldTo = index - FOLD_KEEP;
      const gapId = `${idPrefix}:${foldFrom}`;
      if (!expanded.has(gapId)) {
        flush(foldFrom);
        entries.push({
          kind: 'row',
          row: { type: 'gap', key: gapId, gapId, count: foldTo - foldFrom, needsFile: false },
        });
        start = foldTo;
      }
    }
    runStart = -1;
  }
  flush(lines.length);
}

function unifiedRows(entries: Entry[]): DiffRow[] {
  const rows: DiffRow[] = [];
  for (const entry of entries) {
    if (entry.kind === 'row') {
      rows.push(entry.row);
      continue;
    }
    for (const [index, line] of entry.lines.entries())
      rows.push({ type: 'line', key: `${entry.key}:${index}`, line });
  }
  return rows;
}

/** Side by side: unchanged lines on both sides; a block of removals beside the additions after it. */
function splitRows(entries: Entry[]): DiffRow[] {
  const rows: DiffRow[] = [];
  for (const entry of entries) {
    if (entry.kind === 'row') {
      rows.push(entry.row);
      continue;
    }
    const { lines, key } = entry;
    let index = 0;
    while (index < lines.length) {
      const current = lines[index] as DiffLine;
      if (current.kind === 'context') {
        rows.push({ type: 'pair', key: `${key}:${index}`, left: current, right: current });
        index++;
        continue;
      }
      const removed: DiffLine[] = [];
      const added: DiffLine[] = [];
      const blockStart = index;
      while (index < lines.length && lines[index]?.kind === 'del') removed.push(lines[index++] as DiffLine);
      while (index < lines.length && lines[index]?.kind === 'add') added.push(lines[index++] as DiffLine);
      for (let pair = 0; pair < Math.max(removed.length, added.length); pair++) {
        rows.push({
          type: 'pair',
          key: `${key}:${blockStart}:${pair}`,
          left: removed[pair],
          right: added[pair],
        });
      }
    }
  }
  return rows;
}

/** Added and removed lines of a model, for the file header and the tool cards. */
export function countChanges(model: DiffModel): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const hunk of model.hunks) {
    for (const line of hunk.lines) {
      if (line.kind === 'add') additions++;
      else if (line.kind === 'del') deletions++;
    }
  }
  return { additions, deletions };
}
