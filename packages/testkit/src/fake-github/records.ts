import type { NewCheckRun, NewCommitStatus } from './types.js';

/** The rows a `FakeRepo` stores, in our naming; `rest-json.ts` turns them into GitHub's. */

export interface PullRecord {
  id: number;
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  closedAt: string | null;
  mergeable: boolean | null;
  mergeableState: string;
  head: string;
  base: string;
  /** Last head sha seen (kept when the branch is deleted after a merge). */
  headSha: string;
  baseSha: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export interface ReviewCommentRecord {
  id: number;
  pull: number;
  reviewId: number | null;
  path: string;
  line: number | null;
  originalLine: number | null;
  side: 'LEFT' | 'RIGHT';
  body: string;
  user: string;
  inReplyToId: number | undefined;
  commitId: string;
  createdAt: string;
  updatedAt: string;
}

export interface ReviewRecord {
  id: number;
  pull: number;
  state: string;
  body: string;
  user: string;
  commitId: string;
  submittedAt: string;
}

export interface IssueCommentRecord {
  id: number;
  issue: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export type CheckRunRecord = NewCheckRun & { id: number; startedAt: string };

export type CommitStatusRecord = NewCommitStatus & { id: number; createdAt: string };

// One sequence for every kind of record in every repository, as GitHub's ids are globally unique.
let lastId = 999;
export function newId(): number {
  lastId += 1;
  return lastId;
}

/** Strictly increasing timestamps, so `sort=updated` is deterministic within one millisecond. */
let lastTime = 0;
export function now(): string {
  lastTime = Math.max(lastTime + 1, Date.now());
  return new Date(lastTime).toISOString();
}
