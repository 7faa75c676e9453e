import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignsDocument, CreateCampaignDocument, HeartbeatDocument, LoginDocument, UnipileAccountsDocument } from '../graphql/generated';
import { gql, gqlOk, takeSubscription, wsClient } from '../support/graphql-client';
import { waitFor } from '../support/polling';
import { TEST_ADMIN, TEST_JWT_SECRET, type TestApp, startTestApp } from '../support/test-app';
import { type ServiceBuild, buildService } from './support/process-service';

const ROOT = join(__dirname, '../..');

type Service = {
  child: ChildProcess;
  output(): string;
  /** The GraphQL URL (API processes) or the health URL (workers), once listening. */
  url: Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * The compiled service started as production starts it (`node dist/src/main.js`: src/main.ts, its
 * signal handling included), with only the environment given: no NODE_ENV=test.
 */
function startService(build: ServiceBuild, env: Record<string, string>): Service {
  const child = spawn(process.execPath, [join(build.dir, 'src/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules'), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let listening: (url: string) => void;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const onData = (d: Buffer) => {
    output += String(d);
    const found = /"url":"(http:\/\/[^"]+)","msg":"(GraphQL API|worker health and metrics) listening"/.exec(output);
    if (found) listening(found[1]);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, url, exit };
}

const logLines = (s: Service) =>
  s
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; level: number });

async function waitListening(s: Service): Promise<string> {
  const url = await Promise.race([s.url, s.exit.then((e) => Promise.reject(new Error(`exited (${e.signal ?? e.code}) before listening:\n${s.output().slice(-3_000)}`)))]);
  return url;
}

describe('the service process: graceful stop and restarts', () => {
  let build: ServiceBuild;
  const running: Service[] = [];
  beforeAll(async () => {
    build = await buildService();
  }, 120_000);
  afterAll(() => {
    for (const s of running) s.child.kill('SIGKILL');
    build?.remove();
  });
  const start = (env: Record<string, string>) => {
    const s = startService(build, env);
    running.push(s);
    return s;
  };

  it('should drain on SIGTERM on the embedded default: the request in flight is answered, sockets closed with 1001, exit 0 after "stopped"', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outreach-lifecycle-'));
    try {
      const s = start({ DATA_DIR: dataDir, ADMIN_EMAIL: TEST_ADMIN.email, ADMIN_PASSWORD: TEST_ADMIN.password });
      const graphqlUrl = await waitListening(s);
      const { login } = await gqlOk(graphqlUrl, LoginDocument, { email: TEST_ADMIN.email, password: TEST_ADMIN.password });
      const socket = wsClient(graphqlUrl.replace(/^http/, 'ws'), { Authorization: `Bearer ${login.token}` });
      await takeSubscription(socket.client, HeartbeatDocument, { intervalSeconds: 60 }, 1);

      // A request that waits on Unipile (the sandbox answers the account list 1.5 s late) is in flight.
      const sandbox = /Unipile sandbox: (\S+) .*x-sandbox-admin-key: (\S+)\)/.exec(s.output())!;
      const admin = { 'x-sandbox-admin-key': sandbox[2], 'content-type': 'application/json' };
      await fetch(`${sandbox[1]}/_sandbox/faults`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ kind: 'slow', delayMs: 1_500, times: 1, match: { method: 'GET', route: '/api/v1/accounts' } }),
      });
      const inFlight = gql(graphqlUrl, UnipileAccountsDocument, {}, login.token);
      await waitFor(
        async () => ((await (await fetch(`${sandbox[1]}/_sandbox/requests`, { headers: admin })).json()) as Array<{ fault?: string }>).some((r) => r.fault === 'slow') || undefined,
        10_000,
        'the request to reach Unipile',
      );
      s.child.kill('SIGTERM');

      const answered = await inFlight;
      expect(answered.errors).toBeUndefined();
      expect(answered.data?.unipileAccounts.length).toBeGreaterThan(0);
      expect((await socket.closed).code).toBe(1001);
      expect(await s.exit).toEqual({ code: 0, signal: null });
      expect(logLines(s).map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down: draining HTTP, WebSocket and jobs', 'stopped']));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  describe('on Postgres in production', () => {
    let host: TestApp;
    beforeAll(async () => {
      host = await startTestApp(); // the database and the sandbox the processes use
    }, 120_000);
    afterAll(() => host?.stop());

    it.each(['api', 'worker', 'all'])('should stop a ROLE=%s process on SIGTERM with exit 0 and the "stopped" line', async (role) => {
      const s = start({
        NODE_ENV: 'production',
        ROLE: role,
        DATABASE_URL: (host.app.dataSource.options as { url: string }).url,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'outreach-lifecycle-')),
        JWT_SECRET: TEST_JWT_SECRET,
        UNIPILE_DSN: host.app.sandbox!.url,
        UNIPILE_API_KEY: host.app.sandbox!.apiKey,
        UNIPILE_WEBHOOK_SECRET: 'lifecycle-webhook-secret-0123456789',
        METRICS_TOKEN: 'lifecycle-metrics-token-0123456789',
      });
      await waitListening(s);
      s.child.kill('SIGTERM');
      expect(await s.exit).toEqual({ code: 0, signal: null });
      expect(logLines(s).at(-1)?.msg).toBe('stopped');
    }, 120_000);
  });

  it('should exit at once (code 1) on a second signal while the first one drains', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outreach-lifecycle-'));
    try {
      const s = start({ DATA_DIR: dataDir, ADMIN_EMAIL: TEST_ADMIN.email, ADMIN_PASSWORD: TEST_ADMIN.password, UNIPILE_TIMEOUT: '10m' });
      const graphqlUrl = await waitListening(s);
      const { login } = await gqlOk(graphqlUrl, LoginDocument, { email: TEST_ADMIN.email, password: TEST_ADMIN.password });
      const sandbox = /Unipile sandbox: (\S+) .*x-sandbox-admin-key: (\S+)\)/.exec(s.output())!;
      const admin = { 'x-sandbox-admin-key': sandbox[2], 'content-type': 'application/json' };
      // Unipile never answers this request: the first signal's drain would wait for it.
      await fetch(`${sandbox[1]}/_sandbox/faults`, { method: 'POST', headers: admin, body: JSON.stringify({ kind: 'hang', times: 1, match: { method: 'GET', route: '/api/v1/accounts' } }) });
      const stuck = gql(graphqlUrl, UnipileAccountsDocument, {}, login.token).catch(() => undefined);
      await waitFor(
        async () => ((await (await fetch(`${sandbox[1]}/_sandbox/requests`, { headers: admin })).json()) as Array<{ fault?: string }>).some((r) => r.fault === 'hang') || undefined,
        10_000,
        'the request to reach Unipile',
      );
      s.child.kill('SIGTERM');
      await waitFor(() => logLines(s).some((l) => l.msg.startsWith('shutting down')) || undefined, 10_000, 'the drain to start');
      s.child.kill('SIGTERM');
      expect(await s.exit).toEqual({ code: 1, signal: null });
      expect(logLines(s).map((l) => l.msg)).not.toContain('stopped');
      await stuck;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('should start cleanly 20 times in a row on one data directory, after graceful stops and SIGKILLs, keeping every committed write', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outreach-restarts-'));
    const startups: number[] = [];
    try {
      for (let round = 1; round <= 20; round++) {
        const began = Date.now();
        const s = start({ DATA_DIR: dataDir, ADMIN_EMAIL: TEST_ADMIN.email, ADMIN_PASSWORD: TEST_ADMIN.password });
        const graphqlUrl = await waitListening(s);
        startups.push(Date.now() - began);
        const { login } = await gqlOk(graphqlUrl, LoginDocument, { email: TEST_ADMIN.email, password: TEST_ADMIN.password });
        const { campaigns } = await gqlOk(graphqlUrl, CampaignsDocument, { first: 100 }, login.token);
        expect(campaigns.nodes).toHaveLength(round - 1); // every earlier round's campaign survived
        await gqlOk(graphqlUrl, CreateCampaignDocument, { input: { name: `restart ${round}` } }, login.token);
        // Every other round ends the hard way, with whatever was in flight.
        s.child.kill(round % 2 === 0 ? 'SIGKILL' : 'SIGTERM');
        const exit = await s.exit;
        expect(exit).toEqual(round % 2 === 0 ? { code: null, signal: 'SIGKILL' } : { code: 0, signal: null });
        expect(s.output()).not.toMatch(/"level":(50|60)/); // no error logged
      }
      console.info(`20 restarts on one DATA_DIR, ms from spawn to listening: ${startups.join(', ')}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 600_000);
});
