import type { z } from 'zod';

export type LineResult<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Parse one NDJSON line against a schema. Never throws: a bad line is reported and skipped by the
 * caller, so one malformed message can never take a process down.
 */
export function parseLine<S extends z.ZodType>(schema: S, line: string): LineResult<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, error: `invalid message${where}: ${issue?.message ?? 'unknown'}` };
  }
  return { ok: true, value: result.data };
}

/**
 * Splits a byte stream into lines. Lines longer than `maxLineBytes` are dropped (reported through
 * `onOversize`) instead of growing a buffer without bound.
 */
export class LineSplitter {
  private buffer = '';
  private isDiscarding = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes = 32 * 1024 * 1024,
    private readonly onOversize: (bytes: number) => void = () => {},
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf('\n', start);
      if (newline === -1) break;
      const piece = chunk.slice(start, newline);
      if (this.isDiscarding) {
        this.isDiscarding = false;
      } else {
        const line = this.buffer + piece;
        this.buffer = '';
        if (line.trim() !== '') this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      }
      start = newline + 1;
    }
    if (this.isDiscarding) return;
    this.buffer += chunk.slice(start);
    if (this.buffer.length > this.maxLineBytes) {
      this.onOversize(this.buffer.length);
      this.buffer = '';
      this.isDiscarding = true;
    }
  }

  /** Flush a final line that had no trailing newline (stream ended). */
  end(): void {
    if (!this.isDiscarding && this.buffer.trim() !== '') this.onLine(this.buffer);
    this.buffer = '';
  }
}
