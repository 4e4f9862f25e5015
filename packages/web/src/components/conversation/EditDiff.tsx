import { Fragment, useMemo } from 'react';
import '../../highlight/highlight.css';
import '../changes/diff.css';
import { CodeLine } from '../../highlight/HighlightedLine';
import { languageForPath } from '../../highlight/languages';
import { useHighlightedLines } from '../../highlight/use-highlighted-lines';
import { DiffView } from '../changes/DiffView';
import { type DiffLine, type DiffModel, modelFromEdits, type TextEdit } from '../changes/diff-model';

function text(value: unknown, name: string): string {
  if (typeof value !== 'object' || value === null) return '';
  const field = (value as Record<string, unknown>)[name];
  return typeof field === 'string' ? field : '';
}

/** The before/after texts an Edit, MultiEdit or Write input describes (Write: all new). */
export function editsOf(tool: string, input: unknown): TextEdit[] {
  switch (tool) {
    case 'Edit':
      return [{ oldText: text(input, 'old_string'), newText: text(input, 'new_string') }];
    case 'MultiEdit': {
      const edits =
        typeof input === 'object' && input !== null ? (input as { edits?: unknown }).edits : undefined;
      return Array.isArray(edits)
        ? edits.map((edit) => ({ oldText: text(edit, 'old_string'), newText: text(edit, 'new_string') }))
        : [];
    }
    case 'Write':
      return [{ oldText: '', newText: text(input, 'content') }];
    default:
      return [];
  }
}

/**
 * An edit tool's change, highlighted by the file's language. A Write is a whole new file from line
 * 1, so it goes to the changes pane's viewer with line numbers. An Edit's or MultiEdit's snippet
 * does not say where in the file it sits: it shows its lines only — no numbers, no made-up
 * `@@ -1,1 +1,1 @@` header — with a plain rule between separate pieces (each edit of a MultiEdit,
 * or the far-apart changes of one edit).
 */
export function EditDiff({ tool, input, path }: { tool: string; input: unknown; path: string | undefined }) {
  const model = useMemo(() => modelFromEdits(editsOf(tool, input)), [tool, input]);
  const language = path ? languageForPath(path) : undefined;
  const label = `Change to ${path ?? 'file'}`;
  if (model.hunks.length === 0) return <p className="muted">No change.</p>;
  if (tool !== 'Write') return <EditSnippet model={model} language={language} label={label} />;
  return (
    <div className="tool-diff">
      <DiffView
        model={model}
        mode="unified"
        language={language}
        label={label}
        fit="content"
        showLineNumbers
        testId="tool-diff"
      />
    </div>
  );
}

const signs = { add: '+', del: '-', context: ' ' } as const;

/** A snippet's lines as they are (an edit is small: no virtualising), as tall as they are. */
function EditSnippet({
  model,
  language,
  label,
}: {
  model: DiffModel;
  language: string | undefined;
  label: string;
}) {
  const oldTokens = useHighlightedLines(model.oldText, language);
  const newTokens = useHighlightedLines(model.newText, language);
  const tokensOf = (line: DiffLine) =>
    line.kind === 'del'
      ? line.oldIndex === undefined
        ? undefined
        : oldTokens?.get(line.oldIndex)
      : line.newIndex === undefined
        ? undefined
        : newTokens?.get(line.newIndex);
  return (
    <div className="tool-diff">
      <section
        className="edit-snippet"
        aria-label={label}
        data-testid="tool-diff"
        // Scrollable regions must be reachable by keyboard.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: see above
        tabIndex={0}
      >
        <div className="edit-snippet-lines">
          {model.hunks.map((hunk, hunkIndex) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the pieces of one edit never reorder
            <Fragment key={hunkIndex}>
              {hunkIndex > 0 && <hr className="edit-snippet-break" />}
              {hunk.lines.map((line, lineIndex) => (
                <div
                  // biome-ignore lint/suspicious/noArrayIndexKey: lines of a snippet never reorder
                  key={lineIndex}
                  className={`edit-snippet-line diff-${line.kind}`}
                  data-kind={line.kind}
                >
                  <span className="diff-sign">{signs[line.kind]}</span>
                  <span className="diff-code">
                    <CodeLine text={line.text} tokens={tokensOf(line)} />
                  </span>
                </div>
              ))}
            </Fragment>
          ))}
        </div>
      </section>
    </div>
  );
}
