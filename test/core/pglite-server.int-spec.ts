import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/core/db/embedded-postgres';
import { splitMessages } from '../../src/core/db/pg-wire';

/**
 * The embedded server gives every client what a real Postgres server gives it, on PGlite's one
 * session: its own prepared statements, whole transactions, and nothing left behind when it goes.
 */
describe('embedded Postgres server (PGlite on a unix socket)', () => {
  let pg: EmbeddedPostgres;
  const clients: Client[] = [];
  const client = async () => {
    const c = new Client({ connectionString: pg.url });
    await c.connect();
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    pg = await startEmbeddedPostgres();
    const setup = await client();
    await setup.query(`CREATE TABLE probe (who text, n int)`);
  }, 120_000);
  afterEach(() => clients[0].query(`TRUNCATE probe`));
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await pg.stop();
  });

  it('should let two clients prepare statements of the same name, each its own', async () => {
    const [a, b] = [await client(), await client()];
    await a.query({ name: 'same', text: `SELECT 'a' AS who` });
    await b.query({ name: 'same', text: `SELECT 'b' AS who, 2 AS n` });
    for (let i = 0; i < 3; i++) {
      expect((await a.query({ name: 'same', text: `SELECT 'a' AS who` })).rows).toEqual([{ who: 'a' }]);
      expect((await b.query({ name: 'same', text: `SELECT 'b' AS who, 2 AS n` })).rows).toEqual([{ who: 'b', n: 2 }]);
    }
  });

  it('should run a transaction with nothing of another client inside it, so a rollback takes exactly its own writes', async () => {
    const [a, b] = [await client(), await client()];
    await a.query('BEGIN');
    await a.query(`INSERT INTO probe VALUES ('a', 1)`);
    // b's writes wait for a's transaction to end instead of joining it.
    const bWrites = Promise.all([b.query(`INSERT INTO probe VALUES ('b', 1)`), b.query(`INSERT INTO probe VALUES ('b', 2)`)]);
    await a.query(`INSERT INTO probe VALUES ('a', 2)`);
    await a.query('ROLLBACK');
    await bWrites;
    expect((await a.query(`SELECT who, n FROM probe ORDER BY who, n`)).rows).toEqual([
      { who: 'b', n: 1 },
      { who: 'b', n: 2 },
    ]);
  });

  it('should roll back the open transaction of a client that disconnects, and forget its statements', async () => {
    const a = await client();
    await a.query({ name: 'mine', text: `SELECT 1 AS one` });
    await a.query('BEGIN');
    await a.query(`INSERT INTO probe VALUES ('gone', 1)`);
    await a.end();
    const b = await client();
    expect((await b.query(`SELECT count(*)::int AS n FROM probe`)).rows).toEqual([{ n: 0 }]);
    expect((await b.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE '%mine'`)).rows).toEqual([{ n: 0 }]);
  });

  it('should serve 200 concurrent statements and transactions through a pool of 10 without a protocol error', async () => {
    const pool = new Pool({ connectionString: pg.url, max: 10 });
    try {
      await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          if (i % 3 === 0) return pool.query({ name: 'insert', text: `INSERT INTO probe VALUES ('stmt', $1)`, values: [i] });
          const c = await pool.connect();
          try {
            await c.query('BEGIN');
            await c.query(`INSERT INTO probe VALUES ('tx', $1)`, [i]);
            await c.query(i % 2 === 0 ? 'COMMIT' : 'ROLLBACK');
          } finally {
            c.release();
          }
        }),
      );
      const expected = Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 3 === 0 || i % 2 === 0).length;
      expect((await pool.query(`SELECT count(*)::int AS n FROM probe`)).rows).toEqual([{ n: expected }]);
    } finally {
      await pool.end();
    }
  });

  it('should refuse to serve a data directory another process is serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outreach-inuse-'));
    const first = await startEmbeddedPostgres(dir);
    try {
      await expect(startEmbeddedPostgres(dir)).rejects.toThrow(/in use by another process/);
    } finally {
      await first.stop();
    }
    const again = await startEmbeddedPostgres(dir); // free again once the first stopped
    await again.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});

describe('wire message framing', () => {
  it('should cut messages at their length, keep an incomplete one for later, and tell the startup from typed messages', () => {
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8, 0);
    startup.writeInt32BE(196608, 4);
    const query = Buffer.concat([Buffer.from('Q'), int32(4 + 9), Buffer.from('SELECT 1\0')]);
    const whole = Buffer.concat([startup, query]);
    const first = splitMessages(whole.subarray(0, 11), true);
    expect(first.messages.map((m) => m.type)).toEqual(['startup']);
    expect(first.startupDone).toBe(true);
    const rest = splitMessages(Buffer.concat([first.rest, whole.subarray(11)]), false);
    expect(rest.messages).toEqual([{ type: 'message', bytes: query, endsExchange: true }]);
    expect(rest.rest.length).toBe(0);
  });
});

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
