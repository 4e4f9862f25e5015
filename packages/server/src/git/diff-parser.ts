import type { FileDiff } from '@chatml/protocol';

/*
 * Parses the output of ONE `git diff --raw [--numstat] [--patch] -z -M` run: NUL-separated raw
 * records (status and paths), then — when asked for — NUL-separated numstat records (counts, `-`
 * for binary), an extra NUL, then the patch text. One process gives every view of the same diff
 * queue, so no per-file git calls and no chance of the views disagreeing. With a patch, leave
 * `--numstat` out: the counts are then read off the patch (the same lines git would count), which
 * saves git a second diff of every file (~15% of a 500-file diff).
 *
 * Why no library: `parse-diff` and friends are not installed (and adding dependencies needs a
 * justification of its own); more importantly they parse paths out of `diff --git a/x b/y` headers,
 * which is ambiguous for paths containing spaces or " b/". Here paths come from the unambiguous
 * `-z` records, and the patch text is only cut into per-file blocks, which is unambiguous: inside a
 * block every content line starts with ' ', '+', '-', '\' or '@', so "diff --git " at the start of a
 * line always begins the next file.
 */

type Status = FileDiff['status'];

const STATUS_BY_LETTER: Record<string, Status> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type_changed',
};

const PATCH_BOUNDARY = '\ndiff --git ';

/** Turns the combined diff output into one FileDiff per changed path, in git's order. */
export function parseCombinedDiff(output: string): FileDiff[] {
  if (output === '') return [];
  let cursor = 0;
  const nextField = (): string => {
    const end = output.indexOf('\0', cursor);
    if (end < 0) throw new Error('Unexpected end of `git diff -z` output.');
    const field = output.slice(cursor, end);
    cursor = end + 1;
    return field;
  };

  const files: FileDiff[] = [];
  while (output.startsWith(':', cursor)) {
    const meta = nextField(); // ':100644 100644 <sha> <sha> R086'
    const statusField = meta.slice(meta.lastIndexOf(' ') + 1);
    const letter = statusField.charAt(0);
    const firstPath = nextField();
    const hasTwoPaths = letter === 'R' || letter === 'C';
    const secondPath = hasTwoPaths ? nextField() : null;
    files.push({
      path: secondPath ?? firstPath,
      oldPath: secondPath === null ? null : firstPath,
      status: STATUS_BY_LETTER[letter] ?? 'modified',
      additions: 0,
      deletions: 0,
      binary: false,
      patch: '',
    });
  }

  // Numstat records, when present, start with a digit or '-'; without them the patch (or nothing)
  // follows the raw records after one NUL.
  const hasNumstat = cursor < output.length && output.charAt(cursor) !== '\0';
  for (const file of hasNumstat ? files : []) {
    const counts = nextField(); // '<added>\t<deleted>\t<path>' or, for two paths, '<added>\t<deleted>\t'
    const firstTab = counts.indexOf('\t');
    const secondTab = counts.indexOf('\t', firstTab + 1);
    const added = counts.slice(0, firstTab);
    const deleted = counts.slice(firstTab + 1, secondTab);
    if (secondTab === counts.length - 1) {
      nextField();
      nextField();
    }
    file.binary = added === '-';
    file.additions = file.binary ? 0 : Number.parseInt(added, 10) || 0;
    file.deletions = file.binary ? 0 : Number.parseInt(deleted, 10) || 0;
  }
  if (output.charAt(cursor) === '\0') cursor++;

  const blocksByHeader = splitPatch(output.slice(cursor));
  for (const file of files) {
    const header = `diff --git ${quoteCStyle(`a/${file.oldPath ?? file.path}`)} ${quoteCStyle(`b/${file.path}`)}`;
    // A type change (file <-> symlink) is printed as a deletion block plus a creation block with the
    // same header; both belong to this file.
    file.patch = blocksByHeader.get(header)?.join('') ?? '';
    if (!hasNumstat) Object.assign(file, countPatch(file.patch));
  }
  return files;
}

const PLUS = 0x2b;
const MINUS = 0x2d;

/**
 * What `--numstat` would say for one file's patch: `+`/`-` lines inside hunks (the `---`/`+++`
 * header lines come before the first `@@`), and binary files as binary with no counts.
 */
export function countPatch(patch: string): Pick<FileDiff, 'additions' | 'deletions' | 'binary'> {
  let additions = 0;
  let deletions = 0;
  let binary = false;
  let isInHunk = false;
  for (let start = 0; start < patch.length; ) {
    const newline = patch.indexOf('\n', start);
    const end = newline < 0 ? patch.length : newline;
    const first = patch.charCodeAt(start);
    if (isInHunk) {
      if (first === PLUS) additions++;
      else if (first === MINUS) deletions++;
      // A type change is two blocks: the second one's header starts outside any hunk again.
      else if (patch.startsWith('diff --git ', start)) isInHunk = false;
    } else if (patch.startsWith('@@', start)) {
      isInHunk = true;
    } else if (patch.startsWith('Binary files ', start) || patch.startsWith('GIT binary patch', start)) {
      binary = true;
    }
    start = end + 1;
  }
  return binary ? { additions: 0, deletions: 0, binary } : { additions, deletions, binary };
}

/** Cuts patch text into per-file blocks, grouped by their `diff --git` header line. */
function splitPatch(patch: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  let start = 0;
  while (start < patch.length) {
    const boundary = patch.indexOf(PATCH_BOUNDARY, start);
    const end = boundary < 0 ? patch.length : boundary + 1;
    const block = patch.slice(start, end);
    const headerEnd = block.indexOf('\n');
    const header = headerEnd < 0 ? block : block.slice(0, headerEnd);
    const existing = blocks.get(header);
    if (existing) existing.push(block);
    else blocks.set(header, [block]);
    start = end;
  }
  return blocks;
}

const ESCAPES: Record<string, string> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '"': '\\"',
  '\\': '\\\\',
};

/**
 * Git's `quote_c_style` with `core.quotePath=false` (which we pass): a name with a control
 * character, `"` or `\` is wrapped in double quotes with C escapes; other names, including non-ASCII
 * ones, are printed as they are.
 */
function quoteCStyle(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  if (!/[\u0000-\u001f"\\\u007f]/.test(name)) return name;
  let quoted = '"';
  for (const character of name) {
    const code = character.charCodeAt(0);
    const escaped = ESCAPES[character];
    if (escaped) quoted += escaped;
    else if (code < 0x20 || code === 0x7f) quoted += `\\${code.toString(8).padStart(3, '0')}`;
    else quoted += character;
  }
  return `${quoted}"`;
}
