import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lexer, Source, TokenKind } from 'graphql';
import { Client as Pg } from 'pg';
import { median, recordResults } from './support/results';

// Hostile documents against a real server process (ROLE=api, NODE_ENV=production, anonymous
// callers): how long each takes to be refused, and how /healthz answers while 20 are in flight.
const ROOT = join(__dirname, '../..');
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// The server's GRAPHQL_MAX_TOKENS (its default unless set here).
const MAX_TOKENS = Number(process.env.GRAPHQL_MAX_TOKENS ?? 1_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 10);
const IN_FLIGHT = 20;

const rep = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');
const bomb = (n: number) => `query Bomb { ...F0 } ${rep(n, (i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`)} fragment F${n} on Query { __typename }`;

function tokens(query: string): number {
  const lexer = new Lexer(new Source(query));
  let n = 0;
  while (lexer.advance().kind !== TokenKind.EOF) n++;
  return n;
}

/** The largest `make(n)` within the token cap: documents exactly at the size the server accepts. */
function atCap(make: (n: number) => string): string {
  let lo = 1;
  let hi = MAX_TOKENS;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (tokens(make(mid)) <= MAX_TOKENS) lo = mid;
    else hi = mid - 1;
  }
  return make(lo);
}

// Shapes that make graphql-js's own validation work hardest within the cap (measured beforehand:
// overlapping-field comparisons across fragments and repeated fields), plus the widest bomb.
const DOCUMENTS: Array<[string, string]> = [
  ['40-fragment bomb', bomb(40)],
  ['200-fragment bomb', bomb(200)],
  ['bomb at the token cap', atCap((n) => bomb(n))],
  ['fragment pairs at the token cap', atCap((n) => `query { ${rep(n, (i) => `...F${i}`)} } ${rep(n, (i) => `fragment F${i} on Query { me { id email } }`)}`)],
  ['one field repeated at the token cap', atCap((n) => `{ ${rep(n, () => 'me { id }')} }`)],
  ['repeated nested fields at the token cap', atCap((n) => `{ ${rep(n, () => 'leads { nodes { id campaign { id } } }')} }`)],
  ['dense fragment graph at the token cap', atCap((n) => `query { ...F0 } ${rep(n, (i) => `fragment F${i} on Query { me { id } ${rep(n - i - 1, (j) => `...F${i + j + 1}`)} }`)}`)],
  ['just over the token cap', `{ ${rep(Math.ceil(MAX_TOKENS / 3), (i) => `a${i}: __typename`)} }`],
];

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function post(url: string, query: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  return { status: res.status, code: body.errors?.[0]?.extensions?.code };
}

const ms = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${median(sorted).toFixed(1)} | ${sorted[Math.ceil(sorted.length * 0.99) - 1].toFixed(1)} | ${sorted[sorted.length - 1].toFixed(1)}`;
};

async function main(): Promise<void> {
  const database = `outreach_bench_limits_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const pg = new Pg({ connectionString: SERVER });
    await pg.connect();
    await pg.query(sql).finally(() => pg.end());
  };
  await admin(`CREATE DATABASE ${database}`);
  const dbUrl = new URL(SERVER);
  dbUrl.pathname = `/${database}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'outreach-bench-limits-'));
  const server = await startServer({
    NODE_ENV: 'production',
    ROLE: 'api',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATABASE_URL: dbUrl.toString(),
    DATA_DIR: dataDir,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0',
    ADMIN_EMAIL: 'bench-admin@example.com',
    ADMIN_PASSWORD: 'bench-admin-password',
    GRAPHQL_MAX_TOKENS: String(MAX_TOKENS),
    // Production as deployed, but on the built-in sandbox and without webhooks or metrics in play.
    ALLOW_SANDBOX_IN_PRODUCTION: 'true',
    ALLOW_UNAUTHENTICATED_WEBHOOKS: 'true',
    METRICS_PUBLIC: 'true',
  });
  try {
    const rows: string[] = [];
    const healthRows: string[] = [];
    const idle: number[] = [];
    for (let i = 0; i < REPEAT; i++) idle.push(await timed(() => fetch(`${server.url}/healthz`).then((r) => r.text())));
    healthRows.push(`| idle | ${ms(idle)} |`);
    for (const [name, query] of DOCUMENTS) {
      const answer = await post(server.url, query); // warm-up, and the answer to report
      const alone: number[] = [];
      for (let i = 0; i < REPEAT; i++) alone.push(await timed(() => post(server.url, query)));
      rows.push(`| ${name} | ${(query.length / 1024).toFixed(1)} KB, ${tokens(query)} tokens | ${answer.status} ${answer.code} | ${ms(alone)} |`);
      // /healthz sampled while IN_FLIGHT copies of the document are being answered, round after round.
      const health: number[] = [];
      for (let round = 0; round < REPEAT; round++) {
        const flight = Array.from({ length: IN_FLIGHT }, () => post(server.url, query));
        health.push(await timed(() => fetch(`${server.url}/healthz`).then((r) => r.text())));
        await Promise.all(flight);
      }
      healthRows.push(`| ${IN_FLIGHT} × ${name} in flight | ${ms(health)} |`);
    }
    recordResults(
      'graphql-limits',
      [
        `### Hostile GraphQL documents (anonymous, one server process, GRAPHQL_MAX_TOKENS=${MAX_TOKENS}, ${REPEAT} runs each)`,
        '',
        '| Document | Size | Answer | Time to answer, ms: median, p99, max |',
        '|---|---|---|---|',
        ...rows,
        '',
        '| /healthz | Latency, ms: median, p99, max |',
        '|---|---|',
        ...healthRows,
      ].join('\n'),
    );
  } finally {
    await stop(server.child);
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Starts src/main.ts in its own process and waits for the URL it logs. */
async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const listen = (chunk: unknown) => {
      buffer += String(chunk);
      const match = /"url":"(http:\/\/[^"]+)\/graphql"/.exec(buffer);
      if (!match) return;
      child.stdout!.off('data', listen);
      resolve(match[1]);
    };
    child.stdout!.on('data', listen);
    child.once('exit', (code) => reject(new Error(`src/main.ts exited with ${code}`)));
  });
  child.stdout!.resume();
  return { url, child };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
