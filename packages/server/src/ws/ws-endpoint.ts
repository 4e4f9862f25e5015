import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  APP_VERSION,
  ClientFrame,
  PROTOCOL_VERSION,
  parseLine,
  WS_PROTOCOL,
  WS_TOKEN_PREFIX,
} from '@chatml/protocol';
import { WebSocketServer } from 'ws';
import { AccessPolicy } from '../http/security.js';
import type { Hub } from '../hub/hub.js';
import type { Logger } from '../logger.js';

const HEARTBEAT_MS = 30_000;

/**
 * `/ws`: every check happens on the raw upgrade request, before a WebSocket exists. Browsers cannot
 * set headers on an upgrade, so they offer the token as a `Sec-WebSocket-Protocol` value (never a
 * query string, which would land in logs); the server only ever selects `chatml.v1`, so the token
 * is not echoed back.
 */
export function attachWebSocket(
  server: Server,
  deps: { policy: AccessPolicy; hub: Hub; logger: Logger },
): { close(): void } {
  const { policy, hub, logger } = deps;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = refuse(request, policy);
    if (refusal) {
      logger.warn(`refused a WebSocket upgrade: ${refusal.reason}`);
      socket.end(`HTTP/1.1 ${refusal.status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const client = hub.connect(ws);
      let isAlive = true;
      ws.on('pong', () => {
        isAlive = true;
      });
      const heartbeat = setInterval(() => {
        if (!isAlive) {
          ws.terminate();
          return;
        }
        isAlive = false;
        ws.ping();
      }, HEARTBEAT_MS);
      heartbeat.unref();
      ws.on('close', () => {
        clearInterval(heartbeat);
        client.dispose();
      });
      ws.on('error', (error) => logger.debug(`ws error: ${error.message}`));
      ws.on('message', (data, isBinary) => {
        const parsed = isBinary
          ? ({ ok: false, error: 'binary frames are not accepted' } as const)
          : parseLine(ClientFrame, data.toString());
        if (!parsed.ok) {
          client.sendFrame({ type: 'error', code: 'bad_request', message: parsed.error });
          return;
        }
        const frame = parsed.value;
        if (frame.type === 'subscribe') client.subscribe(frame.sessionId, frame.afterSeq);
        else if (frame.type === 'unsubscribe') client.unsubscribe(frame.sessionId);
        else client.sendFrame({ type: 'pong', nonce: frame.nonce });
      });
      client.sendFrame({ type: 'hello', protocolVersion: PROTOCOL_VERSION, serverVersion: APP_VERSION });
    });
  });

  return {
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

function refuse(request: IncomingMessage, policy: AccessPolicy): { status: string; reason: string } | null {
  const path = (request.url ?? '').split('?')[0];
  if (path !== '/ws') return { status: '404 Not Found', reason: `unknown path ${path}` };
  if (!policy.isHostAllowed(request.headers.host)) return { status: '403 Forbidden', reason: 'foreign Host' };
  if (!policy.isOriginAllowed(request.headers.origin))
    return { status: '403 Forbidden', reason: 'foreign Origin' };
  const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((value) => value.trim());
  const fromProtocol = offered
    .find((value) => value.startsWith(WS_TOKEN_PREFIX))
    ?.slice(WS_TOKEN_PREFIX.length);
  const token = AccessPolicy.bearer(request.headers.authorization) ?? fromProtocol;
  if (!policy.isTokenValid(token)) return { status: '401 Unauthorized', reason: 'missing or invalid token' };
  return null;
}
