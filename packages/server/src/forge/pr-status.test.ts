import type { PullRequestComment } from '@chatml/protocol';
import { describe, expect, it } from 'vitest';
import { reviewCommentsMessage, unresolvedThreads } from './pr-status.js';

function comment(fields: Partial<PullRequestComment> & { id: number }): PullRequestComment {
  return {
    kind: 'review_comment',
    author: 'reviewer',
    body: `comment ${fields.id}`,
    path: 'src/a.ts',
    line: 1,
    inReplyToId: null,
    isOutdated: false,
    reviewState: null,
    url: null,
    createdAt: `2026-01-01T00:00:0${fields.id}Z`,
    ...fields,
  };
}

describe('unresolvedThreads', () => {
  const comments = [
    comment({ id: 1 }),
    comment({ id: 2, inReplyToId: 1, author: 'lead', body: 'yes' }),
    comment({ id: 3, line: null, isOutdated: true }),
    comment({ id: 4, kind: 'issue_comment', path: null, line: null }),
  ];

  it('takes review threads on lines that still exist, with their replies', () => {
    expect(unresolvedThreads(comments).map((thread) => thread.map((item) => item.id))).toEqual([[1, 2]]);
  });

  it('with GraphQL resolution, takes every thread not marked resolved, outdated ones included', () => {
    const resolved = new Map([
      [1, true],
      [3, false],
    ]);
    const threads = unresolvedThreads(comments, undefined, resolved);
    expect(threads.map((thread) => thread.map((item) => item.id))).toEqual([[3]]);
    expect(reviewCommentsMessage({ number: 7, url: 'u' }, threads)).toContain(
      'src/a.ts (outdated: the line has changed since) — @reviewer:',
    );
  });

  it('takes exactly the chosen comments when ids are given', () => {
    expect(unresolvedThreads(comments, [3, 4]).map((thread) => thread.map((item) => item.id))).toEqual([
      [3],
      [4],
    ]);
  });

  it('writes file, line, author and text into the message', () => {
    const text = reviewCommentsMessage({ number: 7, url: 'https://x/pull/7' }, unresolvedThreads(comments));
    expect(text).toContain('pull request #7 (https://x/pull/7)');
    expect(text).toContain('1. src/a.ts:1 — @reviewer:\n   comment 1\n   ↳ @lead:\n     yes');
  });
});
