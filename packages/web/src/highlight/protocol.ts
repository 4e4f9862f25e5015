import type { PackedLines } from './types';

/** Page → worker: tokenize `lines`, stop a job, or pause all jobs for `ms` (the page is busy). */
export type WorkerRequest =
  | { type: 'tokenize'; jobId: number; language: string; lines: string[] }
  | { type: 'cancel'; jobId: number }
  | { type: 'hold'; ms: number };

/** Worker → page: tokens for lines [from, from + count), the end of a job, or its failure. */
export type WorkerResponse =
  | { type: 'tokens'; jobId: number; from: number; count: number; packed: PackedLines }
  | { type: 'done'; jobId: number }
  | { type: 'failed'; jobId: number; message: string };
