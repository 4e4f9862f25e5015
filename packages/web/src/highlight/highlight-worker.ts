/// <reference lib="webworker" />
import type { WorkerRequest, WorkerResponse } from './protocol';
import { holdJobs, runTokenizeJob } from './tokenize-job';

/**
 * Tokenizes off the page's main thread: grammar set-up (tens to hundreds of ms for a big grammar)
 * and tokenizing a 20,000-line diff (seconds) never delay a frame. One job at a time per request;
 * a job is dropped at its next slice once cancelled.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
const cancelled = new Set<number>();

function send(message: WorkerResponse): void {
  // The token arrays move to the page rather than being copied.
  const transfer =
    message.type === 'tokens' ? [message.packed.data.buffer, message.packed.offsets.buffer] : [];
  scope.postMessage(message, transfer);
}

scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.type === 'cancel') {
    cancelled.add(request.jobId);
    return;
  }
  if (request.type === 'hold') {
    holdJobs(request.ms);
    return;
  }
  const { jobId } = request;
  runTokenizeJob(
    request.lines,
    request.language,
    (from, count, packed) => send({ type: 'tokens', jobId, from, count, packed }),
    () => cancelled.has(jobId),
  ).then(
    () => {
      if (!cancelled.delete(jobId)) send({ type: 'done', jobId });
    },
    (error: unknown) => {
      cancelled.delete(jobId);
      send({ type: 'failed', jobId, message: error instanceof Error ? error.message : String(error) });
    },
  );
};
