/**
 * Logs go to stderr only: stdout carries the NDJSON protocol. Never pass env values, API keys or
 * whole tool inputs here — the backend stores these lines in its log files.
 */
export function log(message: string): void {
  process.stderr.write(`[runner ${process.pid}] ${message}\n`);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
