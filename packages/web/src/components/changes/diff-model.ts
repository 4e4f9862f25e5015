import { parsePatch, structuredPatch } from 'diff';

/**
 * One file's diff as the viewer needs it, built from a unified patch by jsdiff (`parsePatch`) or
 * from two texts (`structuredPatch`, for Edit/Write tool cards). Each line knows its numbers on both
 * sides and where its text sits in the side it belongs to (`oldIndex`/`newIndex` into `oldText` and
 * `newText`), which is what the highlighter tokenizes: the lines a side shows, in order.
 */
export type LineKind = 'context' | 'add' | 'del';

export interface DiffLine {
  kind: LineKind;
  text: string;
  oldNumber: number | undefined;
  newNumber: number | undefined;
  oldIndex: number | undefined;
  newIndex: number | undefined;
  /** `\ No newline at end of file` followed this line. */
  hasNoNewline: boolean;
}

export interface DiffHunk {
  header: string;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: DiffLine[];
}

export interface DiffModel {
  hunks: DiffHunk[];
  oldText: string[];
  newText: string[];
  /**
   * The old side's whole file (as of the merge-base) once loaded: then `oldText` is that file and
   * the unchanged lines between hunks can be shown (they are the same on both sides).
   */
  hasFullOldText: boolean;
  /** Longest line in characters (tabs as 4), for the scroll width. */
  maxLineLength: number;
  maxLineNumber: number;
}

interface RawHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

function visualLength(text: string): number {
  let length = text.length;
  for (let index = text.indexOf('\t'); index !== -1; index = text.indexOf('\t', index + 1)) length += 3;
  return length;
}

function buildModel(rawHunks: readonly RawHunk[], headers: readonly string[]): DiffModel {
  const oldText: string[] = [];
  const newText: string[] = [];
  let maxLineLength = 0;
  let maxLineNumber = 0;
  const hunks = rawHunks.map((raw, hunkIndex): DiffHunk => {
    let oldNumber = raw.oldStart;
    let newNumber = raw.newStart;
    const lines: DiffLine[] = [];
    for (const rawLine of raw.lines) {
      const marker = rawLine[0];
      const text = rawLine.slice(1);
      if (marker === '\\') {
        const last = lines[lines.length - 1];
        if (last) last.hasNoNewline = true;
        continue;
      }
      maxLineLength = Math.max(maxLineLength, visualLength(text));
      if (marker === '+') {
        lines.push(line('add', text, undefined, newNumber++, undefined, newText.push(text) - 1));
      } else if (marker === '-') {
        lines.push(line('del', text, oldNumber++, undefined, oldText.push(text) - 1, undefined));
      } else {
        const oldIndex = oldText.push(text) - 1;
        lines.push(line('context', text, oldNumber++, newNumber++, oldIndex, newText.push(text) - 1));
      }
    }
    maxLineNumber = Math.max(maxLineNumber, oldNumber, newNumber);
    return {
      header: headers[hunkIndex] ?? hunkHeader(raw),
      oldStart: raw.oldStart,
      oldLines: raw.oldLines,
      newStart: raw.newStart,
      newLines: raw.newLines,
      lines,
    };
  });
  return { hunks, oldText, newText, hasFullOldText: false, maxLineLength, maxLineNumber };
}

function line(
  kind: LineKind,
  text: string,
  oldNumber: number | undefined,
  newNumber: number | undefined,
  oldIndex: number | undefined,
  newIndex: number | undefined,
): DiffLine {
  return { kind, text, oldNumber, newNumber, oldIndex, newIndex, hasNoNewline: false };
}

/** As git prints it: an empty side names the line before it (jsdiff stores the line after). */
function hunkHeader(raw: RawHunk): string {
  const oldStart = raw.oldLines === 0 ? raw.oldStart - 1 : raw.oldStart;
  const newStart = raw.newLines === 0 ? raw.newStart - 1 : raw.newStart;
  return `@@ -${oldStart},${raw.oldLines} +${newStart},${raw.newLines} @@`;
}

export const emptyModel: DiffModel = buildModel([], []);

/** One file's patch as `git diff` prints it (the server's `FileDiff.patch`). */
export function parseFilePatch(patch: string): DiffModel {
  if (patch.trim() === '') return emptyModel;
  const [file] = parsePatch(patch);
  // jsdiff drops the hunk headers' section text (`@@ … @@ function name`); keep it from the source.
  const headers = patch.split('\n').filter((text) => text.startsWith('@@ '));
  return buildModel(file?.hunks ?? [], headers);
}

export interface TextEdit {
  oldText: string;
  newText: string;
}

/**
 * Edits given as before/after texts (an Edit's `old_string`/`new_string`, each edit of a
 * MultiEdit, or a Write's content against nothing): diffed by jsdiff with 3 lines of context.
 * Line numbers count within each edit's snippet, since the tool input does not say where in the
 * file it applies.
 */
export function modelFromEdits(edits: readonly TextEdit[]): DiffModel {
  const hunks: RawHunk[] = [];
  for (const edit of edits) {
    const patch = structuredPatch(
      '',
      '',
      withFinalNewline(edit.oldText),
      withFinalNewline(edit.newText),
      '',
      '',
      {
        context: 3,
      },
    );
    hunks.push(...patch.hunks);
  }
  return buildModel(hunks, []);
}

function withFinalNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * The same diff with the old side's whole file known: `oldText` becomes the file (so the old side
 * highlights with full context, and unchanged lines outside the hunks can be shown from it).
 */
export function withFullOldText(model: DiffModel, fileText: string): DiffModel {
  const fileLines = fileText.endsWith('\n') ? fileText.slice(0, -1).split('\n') : fileText.split('\n');
  const hunks = model.hunks.map((hunk) => ({
    ...hunk,
    lines: hunk.lines.map((diffLine) =>
      diffLine.oldNumber === undefined ? diffLine : { ...diffLine, oldIndex: diffLine.oldNumber - 1 },
    ),
  }));
  let maxLineLength = model.maxLineLength;
  for (const text of fileLines) maxLineLength = Math.max(maxLineLength, visualLength(text));
  return {
    ...model,
    hunks,
    oldText: fileLines,
    hasFullOldText: true,
    maxLineLength,
    maxLineNumber: Math.max(model.maxLineNumber, fileLines.length + 1),
  };
}
