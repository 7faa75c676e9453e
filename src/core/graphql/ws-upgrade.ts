import { type IncomingMessage, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import proxyAddr from '@fastify/proxy-addr';
import type { WebSocketServer } from 'ws';

/**
 * The largest WebSocket message accepted, before or after authentication: a larger frame closes
 * the socket with 1009 (Message Too Big) as soon as its header announces the length, before any of
 * it is buffered. Subscriptions are small; large operations (CSV imports) go over HTTP.
 */
export const WS_MAX_PAYLOAD_BYTES = 1024 * 1024;

export type UpgradeOptions = {
  path: string;
  /** Open WebSockets (authenticated or not) per client address; past it, upgrades get 429. */
  maxPerClient: number;
  /** Take the client address from X-Forwarded-For, as Fastify does with trustProxy. */
  trustProxy: boolean;
  onRefused?: (status: number) => void;
  /** A frame ws refused (too large, malformed): ws has closed the socket with its code already. */
  onProtocolError?: (error: Error & { code?: string }) => void;
};

/** The caller's address, as request.ip would give it (TRUST_PROXY: the first X-Forwarded-For hop). */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  return proxyAddr(request, () => trustProxy);
}

/**
 * Hands the HTTP upgrades of `path` to the WebSocket server, at most `maxPerClient` open at once
 * per client address: one more is refused with `429 {"error":"TOO_MANY_CONNECTIONS"}` before any
 * WebSocket exists. Other paths get 404. Returns the function that stops listening.
 */
export function acceptUpgrades(server: Server, wss: WebSocketServer, opts: UpgradeOptions): () => void {
  const open = new Map<string, number>();
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== opts.path) {
      return refuse(socket, 404, 'NOT_FOUND', `No WebSocket endpoint at ${request.url}`, opts);
    }
    const client = clientAddress(request, opts.trustProxy);
    const count = open.get(client) ?? 0;
    if (count >= opts.maxPerClient) {
      return refuse(socket, 429, 'TOO_MANY_CONNECTIONS', `At most ${opts.maxPerClient} WebSocket connections per client address; close one first`, opts);
    }
    open.set(client, count + 1);
    // Counted until the TCP connection is gone, whatever becomes of the handshake.
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
    wss.handleUpgrade(request, socket, head, (ws) => {
      // ws answers a frame it refuses with the close code (1009 too big, 1002 malformed) and then
      // emits it as an 'error', which graphql-ws would print to stderr as an internal error: any
      // client could fill the log that way. Such errors go to onProtocolError instead.
      const emit = ws.emit.bind(ws);
      ws.emit = (event: string | symbol, ...args: unknown[]): boolean => {
        if (event === 'error' && isProtocolError(args[0])) {
          opts.onProtocolError?.(args[0]);
          return true;
        }
        return emit(event, ...args);
      };
      wss.emit('connection', ws, request);
    });
  };
  server.on('upgrade', onUpgrade);
  return () => server.off('upgrade', onUpgrade);
}

function refuse(socket: Duplex, status: number, error: string, message: string, opts: UpgradeOptions): void {
  opts.onRefused?.(status);
  const body = JSON.stringify({ error, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

const isProtocolError = (error: unknown): error is Error & { code: string } => {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('WS_ERR_');
};
