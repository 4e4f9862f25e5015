import { useMemo } from 'react';
import { languageForPath } from '../../highlight/languages';
import { DiffView } from '../changes/DiffView';
import { modelFromEdits, type TextEdit } from '../changes/diff-model';

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
 * An edit tool's change, drawn by the same viewer as the changes pane (unified, highlighted by the
 * file's language). Line numbers are shown only for Write, whose content starts at line 1; an
 * Edit's snippet does not say where in the file it sits.
 */
export function EditDiff({ tool, input, path }: { tool: string; input: unknown; path: string | undefined }) {
  const model = useMemo(() => modelFromEdits(editsOf(tool, input)), [tool, input]);
  if (model.hunks.length === 0) return <p className="muted">No change.</p>;
  return (
    <div className="tool-diff">
      <DiffView
        model={model}
        mode="unified"
        language={path ? languageForPath(path) : undefined}
        label={`Change to ${path ?? 'file'}`}
        fit="content"
        showLineNumbers={tool === 'Write'}
        testId="tool-diff"
      />
    </div>
  );
}
