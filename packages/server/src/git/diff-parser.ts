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
  const files: FileDiff[] = [];
  const parser = new DiffOutputParser((file) => files.push(file));
  parser.push(output);
  parser.end();
  return files;
}

interface PendingFile {
  readonly file: FileDiff;
  readonly header: string;
  readonly blocks: string[];
}

type Phase = 'raw' | 'numstat' | 'patch';

/**
 * The parser behind parseCombinedDiff, fed git's output as it arrives: each file is handed to
 * `onFile` as soon as its patch is complete (when the next file's block begins), in git's order,
 * so a caller can send the first files while git still writes the rest. Without patch text, files
 * come at `end()`.
 */
export class DiffOutputParser {
  /** The raw and numstat records not parsed yet (small: a line per file). */
  private text = '';
  private cursor = 0;
  private phase: Phase = 'raw';
  private readonly files: PendingFile[] = [];
  private numstatIndex = 0;
  private hasNumstat = false;
  /** Index of the file the last patch block belonged to; files before it are complete. */
  private current = -1;
  private emitted = 0;
  /**
   * The patch block being read, in the pieces it arrived in: joined once, when it is complete. A
   * file's patch can be tens of megabytes; appending to one string and searching it again for
   * every chunk made one large file quadratic (31 s and 880 MiB for a 30 MB file).
   */
  private block: string[] = [];
  private blockLength = 0;
  /** The block's last characters, where a boundary split across two chunks would begin. */
  private tail = '';
  /** The block's first line once it has arrived (its `diff --git` header). */
  private blockHeader: string | undefined;

  constructor(private readonly onFile: (file: FileDiff) => void) {}

  push(chunk: string): void {
    if (this.phase === 'patch') {
      this.pushPatch(chunk);
      return;
    }
    this.text += chunk;
    if (this.phase === 'raw') this.readRaw();
    if (this.phase === 'numstat') this.readNumstat();
    if ((this.phase as Phase) !== 'patch' && this.cursor > 65_536) {
      // Forget what is parsed, so a long listing is not searched (and copied) again and again.
      this.text = this.text.slice(this.cursor);
      this.cursor = 0;
    }
  }

  end(): void {
    if (this.phase === 'raw' || this.phase === 'numstat') {
      if (this.cursor < this.text.length) throw new Error('Unexpected end of `git diff -z` output.');
    } else if (this.blockLength > 0) {
      this.takeBlock(this.block.join(''));
      this.resetBlock();
    }
    while (this.emitted < this.files.length) this.emit(this.emitted);
  }

  /** The next NUL-terminated field, or undefined when it has not fully arrived. */
  private field(from: number): { value: string; next: number } | undefined {
    const end = this.text.indexOf('\0', from);
    return end < 0 ? undefined : { value: this.text.slice(from, end), next: end + 1 };
  }

  private readRaw(): void {
    while (this.cursor < this.text.length) {
      if (this.text.charAt(this.cursor) !== ':') {
        // Numstat records, when asked for, start with a digit or '-'; without them the patch (if
        // any) follows the raw records after one NUL.
        this.hasNumstat = this.text.charAt(this.cursor) !== '\0';
        if (!this.hasNumstat) this.startPatch(this.cursor + 1);
        else this.phase = 'numstat';
        return;
      }
      const meta = this.field(this.cursor); // ':100644 100644 <sha> <sha> R086'
      if (!meta) return;
      const letter = meta.value.slice(meta.value.lastIndexOf(' ') + 1).charAt(0);
      const first = this.field(meta.next);
      if (!first) return;
      const hasTwoPaths = letter === 'R' || letter === 'C';
      const second = hasTwoPaths ? this.field(first.next) : undefined;
      if (hasTwoPaths && !second) return;
      this.cursor = (second ?? first).next;
      const path = second?.value ?? first.value;
      const oldPath = second ? first.value : null;
      this.files.push({
        file: {
          path,
          oldPath,
          status: STATUS_BY_LETTER[letter] ?? 'modified',
          additions: 0,
          deletions: 0,
          binary: false,
          patch: '',
        },
        header: `diff --git ${quoteCStyle(`a/${oldPath ?? path}`)} ${quoteCStyle(`b/${path}`)}`,
        blocks: [],
      });
    }
  }

  private readNumstat(): void {
    while (this.numstatIndex < this.files.length) {
      // '<added>\t<deleted>\t<path>' or, for two paths, '<added>\t<deleted>\t' + two path fields.
      const counts = this.field(this.cursor);
      if (!counts) return;
      const firstTab = counts.value.indexOf('\t');
      const secondTab = counts.value.indexOf('\t', firstTab + 1);
      let next = counts.next;
      if (secondTab === counts.value.length - 1) {
        const oldPath = this.field(next);
        const newPath = oldPath && this.field(oldPath.next);
        if (!newPath) return;
        next = newPath.next;
      }
      this.cursor = next;
      const added = counts.value.slice(0, firstTab);
      const deleted = counts.value.slice(firstTab + 1, secondTab);
      const file = (this.files[this.numstatIndex] as PendingFile).file;
      file.binary = added === '-';
      file.additions = file.binary ? 0 : Number.parseInt(added, 10) || 0;
      file.deletions = file.binary ? 0 : Number.parseInt(deleted, 10) || 0;
      this.numstatIndex++;
    }
    if (this.cursor >= this.text.length) return;
    this.startPatch(this.text.charAt(this.cursor) === '\0' ? this.cursor + 1 : this.cursor);
  }

  private startPatch(from: number): void {
    this.phase = 'patch';
    const rest = this.text.slice(from);
    this.text = '';
    this.cursor = 0;
    this.pushPatch(rest);
  }

  /**
   * Hands every block the chunk completes to its file. Only the new chunk (and the few characters
   * before it) is searched for the next `\ndiff --git ` boundary, so each byte is looked at about
   * once however large a file's patch is.
   */
  private pushPatch(chunk: string): void {
    let rest = chunk;
    for (;;) {
      const probe = this.tail + rest;
      const at = probe.indexOf(PATCH_BOUNDARY);
      if (at < 0) break;
      // The boundary's newline ends this block; it may lie in the part already stored (`tail`).
      const cut = at + 1 - this.tail.length;
      let block: string;
      if (cut > 0) {
        this.block.push(rest.slice(0, cut));
        block = this.block.join('');
        rest = rest.slice(cut);
      } else {
        const whole = this.block.join('');
        block = whole.slice(0, whole.length + cut);
        rest = whole.slice(whole.length + cut) + rest;
      }
      this.resetBlock();
      this.takeBlock(block);
    }
    if (rest === '') return;
    if (this.blockHeader === undefined) {
      const lineEnd = rest.indexOf('\n');
      // A header line is short: the pieces before its end are few and small.
      if (lineEnd >= 0) this.blockHeader = this.block.join('') + rest.slice(0, lineEnd);
    }
    this.block.push(rest);
    this.blockLength += rest.length;
    this.tail = (this.tail + rest).slice(-(PATCH_BOUNDARY.length - 1));
    // Once the unfinished block's header line is in, a file with another header is complete.
    const current = this.files[this.current];
    if (
      this.blockHeader !== undefined &&
      current &&
      this.current >= this.emitted &&
      this.blockHeader !== current.header
    ) {
      while (this.emitted <= this.current) this.emit(this.emitted);
    }
  }

  private resetBlock(): void {
    this.block = [];
    this.blockLength = 0;
    this.tail = '';
    this.blockHeader = undefined;
  }

  private takeBlock(block: string): void {
    const headerEnd = block.indexOf('\n');
    const header = headerEnd < 0 ? block : block.slice(0, headerEnd);
    // A type change (file <-> symlink) is printed as a deletion block plus a creation block with
    // the same header; both belong to the same file. Blocks come in the raw records' order.
    let owner = Math.max(this.current, this.emitted);
    while (owner < this.files.length && (this.files[owner] as PendingFile).header !== header) owner++;
    if (owner === this.files.length) return; // no file still to come has that header
    while (this.emitted < owner) this.emit(this.emitted);
    this.current = owner;
    (this.files[owner] as PendingFile).blocks.push(block);
  }

  private emit(index: number): void {
    const pending = this.files[index] as PendingFile;
    pending.file.patch =
      pending.blocks.length === 1 ? (pending.blocks[0] as string) : pending.blocks.join('');
    if (!this.hasNumstat) Object.assign(pending.file, countPatch(pending.file.patch));
    this.emitted = index + 1;
    this.onFile(pending.file);
  }
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
