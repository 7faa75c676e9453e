import type { IncomingMessage } from 'node:http';
import { print } from 'graphql';
import WebSocket from 'ws';
import { HeartbeatDocument } from '../graphql/generated';
import { wsClient } from '../support/graphql-client';
import { eventually } from '../support/polling';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession } from '../support/workspace';

type Outcome = { opened: true; socket: WebSocket } | { opened: false; status: number; body: unknown };

/** A raw WebSocket handshake on the graphql-ws subprotocol: opened, or refused with its HTTP answer. */
function handshake(url: string, headers: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { headers });
    socket.once('open', () => resolve({ opened: true, socket }));
    socket.once('unexpected-response', (_req, res: IncomingMessage) => {
      let text = '';
      res.on('data', (chunk) => (text += String(chunk)));
      res.on('end', () => resolve({ opened: false, status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    socket.once('error', (error) => reject(error));
  });
}

/** A graphql-ws client whose heartbeat subscription answered: an accepted, authenticated connection. */
async function connected(url: string, token: string) {
  const connection = wsClient(url, { Authorization: `Bearer ${token}` });
  await new Promise<void>((resolve, reject) => {
    const stop = connection.client.subscribe(
      { query: print(HeartbeatDocument), variables: { intervalSeconds: 60 } },
      { next: () => (stop(), resolve()), error: reject, complete: () => undefined },
    );
  });
  return connection;
}

describe('WebSocket frame and connection limits', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp({ WS_MAX_CONNECTIONS_PER_CLIENT: '3' });
    token = (await adminSession(t)).token;
  });
  afterAll(() => t.stop());

  it('should close a socket with 1009 on an 8 MiB frame sent before authentication, and keep serving others', async () => {
    const outcome = await handshake(t.wsUrl);
    if (!outcome.opened) throw new Error(`handshake refused: ${outcome.status}`);
    const closed = new Promise<number>((resolve) => outcome.socket.once('close', (code) => resolve(code)));
    outcome.socket.on('error', () => undefined); // the server stops reading mid-frame
    outcome.socket.send(Buffer.alloc(8 * 1024 * 1024, 0x7b), { binary: false });
    // 1009 Message Too Big: refused from the frame header, before the payload is buffered.
    expect(await closed).toBe(1009);
    const other = await connected(t.wsUrl, token);
    await other.client.dispose();
  });

  it('should refuse a connection past WS_MAX_CONNECTIONS_PER_CLIENT with 429 before upgrading, and accept again once one closes', async () => {
    const connections = [await connected(t.wsUrl, token), await connected(t.wsUrl, token), await connected(t.wsUrl, token)];
    try {
      const refused = await handshake(t.wsUrl);
      expect(refused).toEqual({ opened: false, status: 429, body: { error: 'TOO_MANY_CONNECTIONS', message: expect.any(String) } });
      // Unauthenticated sockets count too: the limit is per address, before any token is seen.
      await connections.pop()!.client.dispose();
      const again = await eventually(async () => {
        const outcome = await handshake(t.wsUrl);
        if (!outcome.opened) throw new Error(`still refused: ${outcome.status}`);
        return outcome.socket;
      });
      expect((await handshake(t.wsUrl)).opened).toBe(false);
      again.close();
    } finally {
      await Promise.all(connections.map((c) => c.client.dispose()));
    }
  });

  it('should refuse an upgrade on another path with 404', async () => {
    expect(await handshake(`${t.baseUrl.replace(/^http/, 'ws')}/elsewhere`)).toEqual({
      opened: false,
      status: 404,
      body: { error: 'NOT_FOUND', message: expect.any(String) },
    });
  });
});

describe('WebSocket connection limit behind a proxy (TRUST_PROXY=true)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ WS_MAX_CONNECTIONS_PER_CLIENT: '1', TRUST_PROXY: 'true' });
  });
  afterAll(() => t.stop());

  it('should count each forwarded client address on its own', async () => {
    const first = await handshake(t.wsUrl, { 'x-forwarded-for': '203.0.113.7' });
    const second = await handshake(t.wsUrl, { 'x-forwarded-for': '203.0.113.8' });
    try {
      expect([first.opened, second.opened]).toEqual([true, true]);
      expect(await handshake(t.wsUrl, { 'x-forwarded-for': '203.0.113.7' })).toMatchObject({ opened: false, status: 429 });
    } finally {
      for (const o of [first, second]) if (o.opened) o.socket.close();
    }
  });
});
