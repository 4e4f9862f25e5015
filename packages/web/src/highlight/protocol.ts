import type { PackedLines } from './types';

/** Page → worker: tokenize `lines`, or stop a job. */
export type WorkerRequest =
  | { type: 'tokenize'; jobId: number; language: string; lines: string[] }
  | { type: 'cancel'; jobId: number };

/** Worker → page: tokens for lines [from, from + count), the end of a job, or its failure. */
export type WorkerResponse =
  | { type: 'tokens'; jobId: number; from: number; count: number; packed: PackedLines }
  | { type: 'done'; jobId: number }
  | { type: 'failed'; jobId: number; message: string };
