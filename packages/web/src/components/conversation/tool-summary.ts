import { displayPath } from './worktree-context';

/**
 * How a tool call reads in the conversation: a one-line summary, and the text worth expanding
 * (a command, a file's new content, an edit as -/+ lines). Inputs are the SDK's tool inputs, which
 * are not schema'd in the protocol (`unknown`), so every field is read defensively.
 */
export type ToolLayout = 'bash' | 'edit' | 'line' | 'generic';

export interface ToolView {
  layout: ToolLayout;
  summary: string;
  /** Shown always (Bash's command). */
  command?: string;
  /** Shown when expanded, above the output (file content, an edit, the raw input). */
  detail?: string;
}

function field(input: unknown, name: string): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const value = (input as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length < text.length ? `${line} …` : line;
}

/** An edit as a plain -/+ listing; the real diff viewer replaces this later. */
function editAsText(oldText: string, newText: string): string {
  const minus = oldText === '' ? [] : oldText.split('\n').map((line) => `- ${line}`);
  const plus = newText === '' ? [] : newText.split('\n').map((line) => `+ ${line}`);
  return [...minus, ...plus].join('\n');
}

function multiEditAsText(input: unknown): string {
  const edits =
    typeof input === 'object' && input !== null ? (input as { edits?: unknown }).edits : undefined;
  if (!Array.isArray(edits)) return '';
  return edits
    .map((edit) => editAsText(field(edit, 'old_string') ?? '', field(edit, 'new_string') ?? ''))
    .join('\n…\n');
}

export function stringifyInput(input: unknown): string {
  if (input === undefined) return '';
  try {
    return JSON.stringify(input, null, 2);
  } catch {
    // A value JSON cannot represent (a cycle cannot come from the wire, but be safe): show its kind.
    return String(input);
  }
}

export function describeTool(tool: string, input: unknown, worktreePath?: string): ToolView {
  const rawPath = field(input, 'file_path') ?? field(input, 'notebook_path') ?? field(input, 'path');
  const path = rawPath === undefined ? undefined : displayPath(rawPath, worktreePath);
  switch (tool) {
    case 'Bash': {
      const command = field(input, 'command') ?? '';
      return { layout: 'bash', summary: field(input, 'description') ?? firstLine(command), command };
    }
    case 'Write':
      return { layout: 'edit', summary: path ?? '', detail: field(input, 'content') ?? '' };
    case 'Edit':
      return {
        layout: 'edit',
        summary: path ?? '',
        detail: editAsText(field(input, 'old_string') ?? '', field(input, 'new_string') ?? ''),
      };
    case 'MultiEdit':
      return { layout: 'edit', summary: path ?? '', detail: multiEditAsText(input) };
    case 'Read':
    case 'NotebookRead':
    case 'LS':
      return { layout: 'line', summary: path ?? '' };
    case 'Grep': {
      const where = path ?? field(input, 'glob');
      return { layout: 'line', summary: `${field(input, 'pattern') ?? ''}${where ? ` in ${where}` : ''}` };
    }
    case 'Glob':
      return { layout: 'line', summary: `${field(input, 'pattern') ?? ''}${path ? ` in ${path}` : ''}` };
    case 'WebFetch':
      return { layout: 'line', summary: field(input, 'url') ?? '' };
    case 'WebSearch':
      return { layout: 'line', summary: field(input, 'query') ?? '' };
    case 'Task':
    case 'Agent':
      return { layout: 'line', summary: field(input, 'description') ?? '' };
    default: {
      const raw = stringifyInput(input);
      return { layout: 'generic', summary: firstLine(JSON.stringify(input) ?? ''), detail: raw };
    }
  }
}
