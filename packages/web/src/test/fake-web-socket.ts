import type { ClientFrame, ServerFrame } from '@chatml/protocol';
import type { WebSocketLike } from '../api/ws-client';

/** A scripted WebSocket: the test opens, feeds and closes it, and reads what the client sent. */
export class FakeWebSocket implements WebSocketLike {
  onopen: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onmessage: ((message: MessageEvent) => void) | null = null;
  readonly sent: ClientFrame[] = [];
  isClosed = false;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }

  close(): void {
    this.isClosed = true;
  }

  open(): void {
    this.onopen?.(new Event('open'));
  }

  receive(frame: ServerFrame | string): void {
    const data = typeof frame === 'string' ? frame : JSON.stringify(frame);
    this.onmessage?.(new MessageEvent('message', { data }));
  }

  /** The connection dropped (the backend stopped, the network went away). */
  drop(): void {
    this.isClosed = true;
    this.onclose?.(new Event('close') as CloseEvent);
  }
}

/** A factory that records every socket the client creates. */
export function fakeSocketFactory() {
  const sockets: FakeWebSocket[] = [];
  const create = (url: string, protocols: string[]) => {
    const socket = new FakeWebSocket(url, protocols);
    sockets.push(socket);
    return socket;
  };
  return { sockets, create, latest: () => sockets.at(-1)! };
}
