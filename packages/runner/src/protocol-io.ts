import type { Readable, Writable } from 'node:stream';
import { LineSplitter, parseLine, RunnerCommand, type RunnerEvent } from '@chatml/protocol';

export interface CommandHandlers {
  onCommand(command: RunnerCommand): void;
  /** A line that is not JSON or not a known command; the reader keeps going. */
  onBadLine(error: string): void;
  /** stdin closed: the backend is gone or wants the runner to stop. */
  onEnd(): void;
}

/** Reads NDJSON commands from the backend. One bad line is reported, never fatal. */
export function readCommands(input: Readable, handlers: CommandHandlers): void {
  const splitter = new LineSplitter(
    (line) => {
      const parsed = parseLine(RunnerCommand, line);
      if (parsed.ok) handlers.onCommand(parsed.value);
      else handlers.onBadLine(parsed.error);
    },
    undefined,
    (bytes) => handlers.onBadLine(`line of ${bytes} bytes is too long; dropped`),
  );
  input.setEncoding('utf8');
  input.on('data', (chunk: string) => splitter.push(chunk));
  input.on('end', () => {
    splitter.end();
    handlers.onEnd();
  });
  // A broken stdin pipe means the backend is gone: same as EOF.
  input.on('error', () => handlers.onEnd());
}

/** A runner event before the writer stamps it with the session id. */
export type RunnerEventBody = RunnerEvent extends infer E
  ? E extends RunnerEvent
    ? Omit<E, 'session'>
    : never
  : never;

/** Writes runner events as NDJSON, one object per line, each stamped with the session id. */
export class EventWriter {
  private isClosed = false;
  /** Unknown until the backend's hello names it; the runner's own hello goes out before that. */
  session: string;

  constructor(
    private readonly output: Writable,
    session: string,
  ) {
    this.session = session;
    // EPIPE when the backend died: nothing left to tell it, and the runner is shutting down anyway.
    output.on('error', () => {
      this.isClosed = true;
    });
  }

  write(body: RunnerEventBody): void {
    if (this.isClosed) return;
    const event = { session: this.session, ...body } as RunnerEvent;
    this.output.write(`${JSON.stringify(event)}\n`);
  }

  writeAll(bodies: RunnerEventBody[]): void {
    for (const body of bodies) this.write(body);
  }

  error(
    code: string,
    message: string,
    options: { turnId?: string | undefined; retryable?: boolean } = {},
  ): void {
    const { turnId, retryable = false } = options;
    this.write({ type: 'error', code, message, retryable, ...(turnId ? { turnId } : {}) });
  }

  /** Resolves when everything written so far has been handed to the OS. */
  flush(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise((resolve) => this.output.write('', () => resolve()));
  }
}
