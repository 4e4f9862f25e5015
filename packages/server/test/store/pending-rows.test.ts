import { describe, expect, it } from 'vitest';
import type { JournalRow } from '../../src/store/event-journal.js';
import { PendingRows } from '../../src/store/pending-rows.js';

const row = (sessionId: string, seq: number): JournalRow => ({
  sessionId,
  seq,
  type: 'stream_delta',
  ts: seq,
  payload: '{}',
});

const seqs = (pending: PendingRows, sessionId: string) => {
  const rows: JournalRow[] = [];
  pending.appendAfter(sessionId, 0, 1_000_000, rows);
  return rows.map((r) => r.seq);
};

describe('PendingRows', () => {
  it('removes moved rows from the front only, whatever order they come in, and skips rows already gone', () => {
    const pending = new PendingRows();
    const a = [1, 2, 3, 4].map((seq) => row('a', seq));
    const b = [1, 2].map((seq) => row('b', seq));
    for (const r of [a[0], b[0], a[1], a[2], b[1], a[3]] as JournalRow[]) pending.add(r);

    // Interleaved across sessions, as a journal file holds them.
    pending.removeMoved([a[0], b[0], a[1]] as JournalRow[]);
    expect(seqs(pending, 'a')).toEqual([3, 4]);
    expect(seqs(pending, 'b')).toEqual([2]);
    // Moved twice (by the store and by the mover): the second time changes nothing.
    pending.removeMoved([a[0], a[1]] as JournalRow[]);
    expect(pending.size).toBe(3);
    // A row not at the front yet stays: the move of the rows before it takes it.
    pending.removeMoved([a[3]] as JournalRow[]);
    expect(seqs(pending, 'a')).toEqual([3, 4]);
    // An equal row that is not the same object is not the row that was moved.
    pending.removeMoved([row('a', 3)]);
    expect(pending.size).toBe(3);
    pending.removeMoved([a[2], a[3], b[1]] as JournalRow[]);
    expect(pending.size).toBe(0);
    expect(pending.lastSeq('a')).toBeUndefined();
  });

  it('keeps a very long backlog in order through the compactions of rows moved from its front', () => {
    const pending = new PendingRows();
    const rows = Array.from({ length: 300_000 }, (_, i) => row('a', i + 1));
    for (const r of rows) pending.add(r);
    for (let i = 0; i < rows.length; i += 1000) {
      pending.removeMoved(rows.slice(i, i + 1000));
      if (i === 150_000) {
        expect(pending.size).toBe(149_000);
        expect(pending.lastSeq('a')).toBe(300_000);
        expect(seqs(pending, 'a')[0]).toBe(151_001);
      }
    }
    expect(pending.size).toBe(0);
  });

  it('takes back a failed batch from the end and keeps the rest in order', () => {
    const pending = new PendingRows();
    const rows = [1, 2, 3].map((seq) => row('a', seq));
    for (const r of rows) pending.add(r);
    pending.removeMoved([rows[0]] as JournalRow[]);
    pending.removeNewest([rows[2]] as JournalRow[]);
    expect(seqs(pending, 'a')).toEqual([2]);
    expect(pending.lastSeqOf('a', new Set(['stream_delta']))).toBe(2);
    expect(pending.ofTypes('a', new Set(['stream_delta'])).map((r) => r.seq)).toEqual([2]);
  });
});
