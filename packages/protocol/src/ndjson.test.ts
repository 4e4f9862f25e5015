import { describe, expect, it } from 'vitest';
import { LineSplitter, parseLine } from './ndjson.js';
import { RunnerCommand, RunnerEvent } from './runner-messages.js';

describe('parseLine', () => {
  it('accepts a valid runner command', () => {
    const result = parseLine(RunnerCommand, JSON.stringify({ type: 'interrupt', session: 's1' }));
    expect(result).toEqual({ ok: true, value: { type: 'interrupt', session: 's1' } });
  });

  it('reports non-JSON without throwing', () => {
    const result = parseLine(RunnerCommand, '{not json');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^not JSON/);
  });

  it('reports an unknown message type with where it failed', () => {
    const result = parseLine(RunnerEvent, JSON.stringify({ type: 'nope', session: 's1' }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/invalid message at type/);
  });

  it('rejects a message missing its session', () => {
    expect(parseLine(RunnerCommand, JSON.stringify({ type: 'shutdown' })).ok).toBe(false);
  });
});

describe('LineSplitter', () => {
  it('reassembles lines split across chunks and skips blank lines', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push('{"a":');
    splitter.push('1}\n\n{"b":2}\r\n{"c"');
    splitter.push(':3}');
    splitter.end();
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('drops an oversize line, reports it, and resumes at the next line', () => {
    const lines: string[] = [];
    const oversize: number[] = [];
    const splitter = new LineSplitter(
      (line) => lines.push(line),
      10,
      (bytes) => oversize.push(bytes),
    );
    splitter.push('x'.repeat(8));
    splitter.push('y'.repeat(8));
    splitter.push('zzz\nok\n');
    expect(lines).toEqual(['ok']);
    expect(oversize).toHaveLength(1);
  });
});
