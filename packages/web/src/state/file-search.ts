import Fuse from 'fuse.js';

/**
 * Fuzzy search over a worktree's paths for the `@` picker. The file name weighs more than its
 * folders, and a match may sit anywhere in the path (`ignoreLocation`), so `comp` finds
 * `src/components/Composer.tsx`. An empty query lists the first files in path order.
 */
export function createFileSearch(files: readonly string[]): (query: string, limit: number) => string[] {
  const entries = files.map((path) => ({ path, name: path.slice(path.lastIndexOf('/') + 1) }));
  const fuse = new Fuse(entries, {
    keys: [
      { name: 'name', weight: 2 },
      { name: 'path', weight: 1 },
    ],
    ignoreLocation: true,
    threshold: 0.4,
  });
  return (query, limit) => {
    const trimmed = query.trim();
    if (trimmed === '') return files.slice(0, limit);
    return fuse.search(trimmed, { limit }).map((result) => result.item.path);
  };
}

/**
 * The `@` mention being typed at `caret`, if any: an `@` at the start or after whitespace, followed
 * by no whitespace up to the caret. Returns where it starts and what was typed after it.
 */
export function mentionAt(text: string, caret: number): { start: number; query: string } | undefined {
  const before = text.slice(0, caret);
  const match = /(^|\s)@([^\s@]*)$/.exec(before);
  if (!match) return undefined;
  const query = match[2] ?? '';
  return { start: caret - query.length - 1, query };
}

/** `text` with the mention at `start..caret` replaced by `@path `; returns the new text and caret. */
export function insertMention(
  text: string,
  mention: { start: number },
  caret: number,
  path: string,
): { text: string; caret: number } {
  const inserted = `@${path} `;
  const after = text.slice(caret).replace(/^\s/, '');
  return { text: text.slice(0, mention.start) + inserted + after, caret: mention.start + inserted.length };
}
