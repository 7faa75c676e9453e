import { once } from 'node:events';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { HeartbeatDocument } from '../graphql/generated';
import { takeSubscription, wsClient } from '../support/graphql-client';
import { metricValue } from '../support/metrics';
import { waitFor } from '../support/polling';
import { loginToken } from '../support/session';
import { TEST_ADMIN, type TestApp, startTestApp } from '../support/test-app';

describe('graphql-ws subscriptions', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
  });
  afterAll(() => t.stop());

  it('should refuse a connection without a token with 4403', async () => {
    const { closed } = wsClient(t.wsUrl);
    expect((await closed).code).toBe(4403);
  });

  it('should refuse a connection with an invalid token with 4403', async () => {
    const { closed } = wsClient(t.wsUrl, { Authorization: 'Bearer not.a.token' });
    expect((await closed).code).toBe(4403);
  });

  it('should stream heartbeats to a connection authenticated in connectionParams', async () => {
    const { client } = wsClient(t.wsUrl, { Authorization: `Bearer ${token}` });
    const results = await takeSubscription(client, HeartbeatDocument, { intervalSeconds: 1 }, 2);
    expect(results.map((r) => r.data?.heartbeat.sequence)).toEqual([1, 2]);
    const [first, second] = results.map((r) => new Date(r.data!.heartbeat.at).getTime());
    expect(second - first).toBeGreaterThanOrEqual(900);
    await client.dispose();
  });

  it('should answer an out-of-range interval with BAD_USER_INPUT', async () => {
    const { client } = wsClient(t.wsUrl, { token });
    const [result] = await takeSubscription(client, HeartbeatDocument, { intervalSeconds: 0 }, 1);
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })]);
    await client.dispose();
  });
});

describe('WebSocket keep-alive', () => {
  it('should ping every socket, keep one that answers and drop one that stops answering', async () => {
    const t = await startTestApp({}, { keepAliveMs: 200 });
    try {
      const token = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
      const open = async () => {
        const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
        await once(socket, 'open');
        socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } }));
        expect(JSON.parse(String((await once(socket, 'message'))[0]))).toEqual({ type: 'connection_ack' });
        return socket;
      };
      const live = await open();
      const dead = await open();
      let pings = 0;
      live.on('ping', () => (pings += 1));
      expect(await metricValue(t.baseUrl, 'graphql_ws_connections')).toBe(2);
      // A client that stops reading (a frozen tab, a lost network): its pings go unanswered. The
      // server drops it (its open-connections gauge falls to 1) while the one that answers stays.
      const deadSocket = (dead as unknown as { _socket: Socket })._socket;
      deadSocket.pause();
      await waitFor(async () => (await metricValue(t.baseUrl, 'graphql_ws_connections')) === 1, 10_000, 'the server to drop the silent socket');
      // A third ping comes after the first one's answer was due: the socket that answers is kept.
      await waitFor(() => pings >= 3, 10_000, 'three pings of the answering socket');
      expect(live.readyState).toBe(WebSocket.OPEN);
      expect(await metricValue(t.baseUrl, 'graphql_ws_connections')).toBe(1);
      const closed = once(dead, 'close');
      deadSocket.resume();
      // Terminated by the server: no close frame, so the client sees an abnormal closure.
      expect((await closed)[0]).toBe(1006);
      live.close();
    } finally {
      await t.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('should close open subscriptions and stop answering HTTP', async () => {
    const t = await startTestApp();
    const token = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
    const { client, closed } = wsClient(t.wsUrl, { Authorization: `Bearer ${token}` });
    await takeSubscription(client, HeartbeatDocument, { intervalSeconds: 60 }, 1);
    const pending = takeSubscription(client, HeartbeatDocument, { intervalSeconds: 60 }, 2);
    await t.stop();
    expect((await closed).code).toBe(1001);
    await expect(pending).rejects.toBeDefined();
    await expect(fetch(`${t.baseUrl}/healthz`)).rejects.toThrow();
  });
});
