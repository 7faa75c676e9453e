import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Client, createClient } from 'graphql-ws';
import jwt from 'jsonwebtoken';
import { Client as Pg } from 'pg';
import WebSocket from 'ws';
import { metricValue } from '../support/metrics';
import { holdsWithin } from '../support/polling';
import { recordResults } from './support/results';

// Fan-out of reply notifications: replies enter through the webhook endpoint of a real server
// process and reach graphql-ws subscribers; next to it, in the same run, the floor: a bare
// graphql-ws server publishing through an in-process pubsub (no auth, no filter, no database),
// fanning out as the service does (support/floor-server.ts: one execution per operation and
// audience, then a write per socket).
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 5_000);
// Shape (a) runs longer: a reply reaches its 10 subscribers at once, so 10 s (500 replies) would
// take its p99 from the 5 slowest replies, which swings from run to run by 2× on either server.
const SHAPES = [
  { key: 'a', name: '(a) 500 workspaces, 50 replies/s', workspaces: 500, repliesPerSecond: 50, seconds: 30 },
  { key: 'b', name: '(b) one workspace, 10 replies/s', workspaces: 1, repliesPerSecond: 10, seconds: 10 },
] as const;
/** BENCH_SECONDS=n runs every shape for n seconds (while iterating). */
const secondsOf = (shape: { seconds: number }) => Number(process.env.BENCH_SECONDS ?? shape.seconds);
// BENCH_SHAPES=a runs one shape while iterating.
const ONLY = process.env.BENCH_SHAPES?.split(',');
const ROOT = join(__dirname, '../..');
const SECRET = 'bench-secret-bench-secret-bench-secret-0';
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type Shape = (typeof SHAPES)[number];
type Outcome = {
  expected: number;
  delivered: number;
  latencies: number[];
  kbPerConnection: number;
  /** CPU time (user + system) of the server process per reply sent, from the first reply until everything arrived. */
  cpuMsPerReply: number;
  /** The service only: the database's transactions per reply, and where the time went. */
  transactionsPerReply?: number;
  stages?: Array<[string, number[]]>;
};

const SUBSCRIPTION = 'subscription { replyReceived { text } }';

async function main(): Promise<void> {
  const rows: string[] = [];
  const breakdown: string[] = [];
  for (const shape of SHAPES.filter((s) => !ONLY || ONLY.includes(s.key))) {
    const floor = await runFloor(shape);
    const real = await runService(shape);
    rows.push(row(shape.name, 'floor (bare graphql-ws, in-process pubsub, shared executions)', floor), row(shape.name, 'service (webhook → DB → NOTIFY → subscribers)', real));
    const p99 = (o: Outcome) => percentile(o.latencies, 0.99);
    rows.push(`| ${shape.name} | **ratio of p99 to the floor** | | | | **${(p99(real) / p99(floor)).toFixed(2)}×** | | |`);
    for (const [stage, values] of real.stages ?? []) {
      breakdown.push(`| ${shape.name} | ${stage} | ${percentile(values, 0.5).toFixed(1)} | ${percentile(values, 0.99).toFixed(1)} |`);
    }
    if (real.transactionsPerReply !== undefined) breakdown.push(`| ${shape.name} | per reply: ${real.transactionsPerReply.toFixed(1)} database transactions | | |`);
  }
  recordResults(
    'subscriptions',
    [
      '## Subscriptions fan-out (`npm run bench:subscriptions`)',
      '',
      `${SUBSCRIBERS.toLocaleString('en')} graphql-ws subscribers; replies for ${SHAPES.map((s) => `${secondsOf(s)} s (${s.key})`).join(' and ')}; latency from the webhook request (the floor: from publish) to the client receiving the event; clients, server and database on this machine.`,
      "Both servers run in their own process. The floor routes each subscriber to its workspace topic and fans out as the service does (a query text parsed and validated once, an event executed once per operation and workspace with the service's `sharedSubscribe`, then serialized and written per socket); it leaves out authentication, the database, NOTIFY, the live-event feed and limits. Memory per connection: the server process RSS with the subscribers connected, minus before, divided by their number.",
      '',
      '| shape | server | expected | delivered | p50 ms | p99 ms | KB per connection | server CPU ms per reply |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      "Where the service's time goes (database timestamps: webhook_event.received_at, lead_event.detected_at, live_event.created_at; transactions counted by pg_stat_database, the job queue's included):",
      '',
      '| shape | stage | p50 ms | p99 ms |',
      '|---|---|---|---|',
      ...breakdown,
    ].join('\n'),
  );
}

function row(shape: string, server: string, o: Outcome): string {
  return `| ${shape} | ${server} | ${o.expected} | ${o.delivered} | ${percentile(o.latencies, 0.5).toFixed(1)} | ${percentile(o.latencies, 0.99).toFixed(1)} | ${o.kbPerConnection.toFixed(1)} | ${o.cpuMsPerReply.toFixed(1)} |`;
}

/** The floor: same clients, same rate, a server process that does nothing but fan out. */
async function runFloor(shape: Shape): Promise<Outcome> {
  const server = await startProcess(['test/bench/support/floor-server.ts'], {});
  try {
    const before = rss(server.child.pid!);
    const clients = await connectAll(
      `${server.url.replace(/^http/, 'ws')}/graphql`,
      () => ({}),
      SUBSCRIBERS,
      (i) => i % shape.workspaces,
      (w) => `subscription { replyReceived(workspace: ${w}) { text } }`,
      async () => ((await (await fetch(`${server.url}/subscriptions`)).json()) as { open: number }).open,
    );
    const kb = (rss(server.child.pid!) - before) / SUBSCRIBERS / 1024;
    const cpu0 = cpuMs(server.child.pid!);
    const outcome = await measure(clients, shape, async (workspace, text) => {
      const res = await fetch(`${server.url}/publish?workspace=${workspace}`, { method: 'POST', body: text });
      if (res.status !== 200) throw new Error(`floor answered ${res.status}`);
    });
    const cpuMsPerReply = (cpuMs(server.child.pid!) - cpu0) / (shape.repliesPerSecond * secondsOf(shape));
    await Promise.all(clients.map((c) => c.client.dispose()));
    return { ...outcome, kbPerConnection: kb, cpuMsPerReply };
  } finally {
    await stop(server.child);
  }
}

/** The service: a real server process, replies posted to its webhook endpoint. */
async function runService(shape: Shape): Promise<Outcome> {
  const database = `outreach_bench_subs_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${database}`);
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  const server = await startProcess(['src/main.ts'], {
    NODE_ENV: 'production',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATABASE_URL: url.toString(),
    JWT_SECRET: SECRET,
    UNIPILE_WEBHOOK_SECRET: SECRET,
    // Production against the sandbox, /metrics unscraped: both must be said to start (config.ts).
    ALLOW_SANDBOX_IN_PRODUCTION: 'true',
    METRICS_PUBLIC: 'true',
    ADMIN_EMAIL: 'bench-admin@example.com',
    ADMIN_PASSWORD: 'bench-admin-password',
    DATA_DIR: join(ROOT, 'data', 'bench'),
    // Every subscriber connects from this machine's one address.
    WS_MAX_CONNECTIONS_PER_CLIENT: String(SUBSCRIBERS + 100),
  });
  const pg = new Pg({ connectionString: url.toString() });
  await pg.connect();
  try {
    const world = await seed(pg, shape.workspaces);
    const before = rss(server.child.pid!);
    let next = 0;
    const clients = await connectAll(
      `${server.url.replace(/^http/, 'ws')}/graphql`,
      () => {
        const w = world[next++ % world.length];
        return { Authorization: `Bearer ${w.token}` };
      },
      SUBSCRIBERS,
      (i) => i % world.length,
      () => SUBSCRIPTION,
      () => metricValue(server.url, 'graphql_ws_subscriptions'),
    );
    const kb = (rss(server.child.pid!) - before) / SUBSCRIBERS / 1024;
    const cost0 = { cpu: cpuMs(server.child.pid!), xacts: await transactions(pg) };
    const outcome = await measure(clients, shape, async (workspace, text) => {
      const w = world[workspace];
      const res = await fetch(`${server.url}/api/webhooks/unipile/messaging`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'unipile-auth': SECRET },
        body: JSON.stringify(messageReceived(w.unipileAccountId, w.ownerProviderId, w.leadProviderId, text)),
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    });
    if (outcome.delivered < outcome.expected) await explainMissing(pg, clients, outcome.sent);
    const replies = shape.repliesPerSecond * secondsOf(shape);
    const cpuMsPerReply = (cpuMs(server.child.pid!) - cost0.cpu) / replies;
    const transactionsPerReply = ((await transactions(pg)) - cost0.xacts) / replies;
    await Promise.all(clients.map((c) => c.client.dispose()));
    return { ...outcome, kbPerConnection: kb, cpuMsPerReply, transactionsPerReply, stages: await stages(pg, clients) };
  } finally {
    await pg.end();
    await stop(server.child);
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

/** Replies some subscriber did not receive: were they processed, and when was their live event written? */
async function explainMissing(pg: Pg, subscribers: Subscriber[], sent: Array<{ workspace: number; text: string }>): Promise<void> {
  const missing = new Map<string, number>();
  for (const s of subscribers) {
    const got = new Set(s.received.map((r) => r.text));
    for (const { workspace, text } of sent) if (workspace === s.workspace && !got.has(text)) missing.set(text, (missing.get(text) ?? 0) + 1);
  }
  for (const [text, subscribersMissing] of [...missing].slice(0, 10)) {
    const { rows } = await pg.query(
      `SELECT we.id, we.received_at, we.processed_at, we.outcome, we.attempts, we.last_error, lv.id AS live_id, lv.created_at AS written
       FROM webhook_event we LEFT JOIN lead_event le ON le.meta->>'webhook_event_id' = we.id::text AND le.type = 'message_received'
       LEFT JOIN live_event lv ON lv.topic = 'REPLY_RECEIVED' AND lv.payload->>'leadEventId' = le.id::text
       WHERE we.payload->>'message' = $1`,
      [text],
    );
    process.stdout.write(`  missing at ${subscribersMissing} subscribers: ${text} ${JSON.stringify(rows)}\n`);
  }
}

/**
 * Where the time of a reply goes, from timestamps the database keeps anyway: sent → stored
 * (webhook_event.received_at) → lead locked (lead_event.detected_at) → live event written
 * (live_event.created_at, before commit) → client (commit, NOTIFY, fan-out, the client's socket).
 */
async function stages(pg: Pg, subscribers: Subscriber[]): Promise<Array<[string, number[]]>> {
  const { rows } = await pg.query(
    `SELECT le.meta->>'text' AS text, extract(epoch FROM we.received_at) * 1000 AS stored,
            extract(epoch FROM le.detected_at) * 1000 AS locked, extract(epoch FROM lv.created_at) * 1000 AS written
     FROM lead_event le JOIN webhook_event we ON we.id::text = le.meta->>'webhook_event_id'
     JOIN live_event lv ON lv.topic = 'REPLY_RECEIVED' AND lv.payload->>'leadEventId' = le.id::text
     WHERE le.type = 'message_received'`,
  );
  const arrivals = new Map<string, number[]>();
  for (const s of subscribers) for (const r of s.received) (arrivals.get(r.text) ?? arrivals.set(r.text, []).get(r.text)!).push(r.at);
  const out: Array<[string, number[]]> = [
    ['sent → stored', []],
    ['stored → lead locked', []],
    ['lead locked → event written', []],
    ['written → client (commit, NOTIFY, fan-out)', []],
  ];
  for (const r of rows) {
    const sent = Number(String(r.text).split('|')[1]);
    out[0][1].push(Number(r.stored) - sent);
    out[1][1].push(Number(r.locked) - Number(r.stored));
    out[2][1].push(Number(r.written) - Number(r.locked));
    for (const at of arrivals.get(r.text) ?? []) out[3][1].push(at - Number(r.written));
  }
  return out;
}

type Subscriber = { client: Client; workspace: number; received: Array<{ text: string; at: number }> };

async function connectAll(
  url: string,
  params: () => Record<string, unknown>,
  count: number,
  workspaceOf: (i: number) => number,
  query: (workspace: number) => string,
  /** How many subscriptions the server holds attached to their events (a connection ack is not a subscription's). */
  registered: () => Promise<number>,
): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  for (let i = 0; i < count; i += 250) {
    const batch = Array.from({ length: Math.min(250, count - i) }, (_, k) => connect(url, params(), workspaceOf(i + k), query(workspaceOf(i + k))));
    subscribers.push(...(await Promise.all(batch)));
  }
  if (!(await holdsWithin(async () => (await registered()) === count, 60_000, 250))) throw new Error(`${count} subscriptions not registered within 60 s`);
  return subscribers;
}

function connect(url: string, connectionParams: Record<string, unknown>, workspace: number, query: string): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const received: Subscriber['received'] = [];
    const client = createClient({ url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: false, on: { connected: () => resolve({ client, workspace, received }) }, onNonLazyError: reject });
    client.subscribe<{ replyReceived: { text: string } }>({ query }, {
      next: (v) => received.push({ text: v.data!.replyReceived.text, at: performance.timeOrigin + performance.now() }),
      error: reject,
      complete: () => undefined,
    });
  });
}

/** Sends replies at the shape's rate, spread over the workspaces, then counts what arrived where. */
async function measure(
  subscribers: Subscriber[],
  shape: Shape,
  send: (workspace: number, text: string) => Promise<void>,
): Promise<Omit<Outcome, 'kbPerConnection' | 'cpuMsPerReply'> & { sent: Array<{ workspace: number; text: string }> }> {
  const total = shape.repliesPerSecond * secondsOf(shape);
  const sentTo: number[] = [];
  const sentTexts: Array<{ workspace: number; text: string }> = [];
  const started = Date.now();
  const sends: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / shape.repliesPerSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const workspace = i % shape.workspaces;
    sentTo.push(workspace);
    const text = `${i}|${performance.timeOrigin + performance.now()}`;
    sentTexts.push({ workspace, text });
    sends.push(send(workspace, text));
  }
  await Promise.all(sends);
  const perWorkspace = new Map<number, number>();
  for (const w of sentTo) perWorkspace.set(w, (perWorkspace.get(w) ?? 0) + 1);
  const expected = subscribers.reduce((n, s) => n + (perWorkspace.get(s.workspace) ?? 0), 0);
  // Count once everything arrived, or after 60 s: slow delivery is latency, what is missing then is loss.
  await holdsWithin(() => subscribers.reduce((n, s) => n + s.received.length, 0) >= expected, 60_000, 250);
  let delivered = 0;
  const latencies: number[] = [];
  for (const s of subscribers) {
    for (const r of s.received) {
      const [, sentAt] = r.text.split('|').map(Number);
      delivered += 1;
      latencies.push(r.at - sentAt);
    }
  }
  return { expected, delivered, latencies, sent: sentTexts };
}

/** Workspaces with a user, a linked account, an active campaign and one lead each (direct SQL). */
async function seed(pg: Pg, workspaces: number) {
  const world: Array<{ token: string; unipileAccountId: string; ownerProviderId: string; leadProviderId: string }> = [];
  for (let w = 0; w < workspaces; w++) {
    const ws = randomUUID();
    const user = randomUUID();
    const account = randomUUID();
    const campaign = randomUUID();
    const unipileAccountId = `benchacct${w}${randomBytes(4).toString('hex')}`;
    const ownerProviderId = `ACoAAOwner${w}${randomBytes(6).toString('hex')}`;
    const leadProviderId = `ACoAALead${w}${randomBytes(6).toString('hex')}`;
    await pg.query(`INSERT INTO workspace (id, name) VALUES ($1, $2)`, [ws, `bench ${w}`]);
    await pg.query(`INSERT INTO app_user (id, workspace_id, email, password_hash, role) VALUES ($1, $2, $3, 'x', 'MEMBER')`, [user, ws, `bench${w}@example.com`]);
    await pg.query(
      `INSERT INTO linkedin_account (id, workspace_id, unipile_account_id, owner_provider_id, display_name) VALUES ($1, $2, $3, $4, 'Bench')`,
      [account, ws, unipileAccountId, ownerProviderId],
    );
    await pg.query(`INSERT INTO campaign (id, workspace_id, name, status, sequence_version) VALUES ($1, $2, 'bench', 'ACTIVE', 1)`, [campaign, ws]);
    await pg.query(`INSERT INTO lead (workspace_id, campaign_id, account_id, provider_id, status) VALUES ($1, $2, $3, $4, 'messaged')`, [ws, campaign, account, leadProviderId]);
    const token = jwt.sign({ wid: ws, role: 'MEMBER', email: `bench${w}@example.com` }, SECRET, { subject: user, issuer: 'linkedin-outreach', expiresIn: '1h' });
    world.push({ token, unipileAccountId, ownerProviderId, leadProviderId });
  }
  return world;
}

function messageReceived(accountId: string, ownerProviderId: string, senderProviderId: string, text: string) {
  return {
    event: 'message_received',
    account_id: accountId,
    account_type: 'LINKEDIN',
    account_info: { type: 'LINKEDIN', feature: 'classic', user_id: ownerProviderId },
    webhook_name: 'messaging',
    chat_id: `chat-${senderProviderId}`,
    message_id: randomUUID(),
    message: text,
    timestamp: new Date().toISOString(),
    sender: { attendee_id: 'att', attendee_provider_id: senderProviderId, attendee_name: 'Lead' },
    attendees: [],
    is_sender: false,
  };
}

/** Starts a TypeScript entry point in its own process and waits for the URL it logs. */
async function startProcess(args: string[], env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...profile(args[0]), '-r', '@swc-node/register', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk) => {
      buffer += String(chunk);
      const match = /"url":"(http:\/\/[^"]+)\/graphql"/.exec(buffer);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
  child.stdout!.resume();
  return { url, child };
}

/** BENCH_CPU_PROF=<dir> writes a CPU profile of the service there. */
function profile(entry: string): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir && entry === 'src/main.ts' ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** CPU time (user + system) the process used so far. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Transactions of the bench database so far (each statement outside a transaction counts as one). */
async function transactions(pg: Pg): Promise<number> {
  const { rows } = await pg.query(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`);
  return Number(rows[0].n);
}

function rss(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}

async function admin(sql: string): Promise<void> {
  const client = new Pg({ connectionString: SERVER });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
