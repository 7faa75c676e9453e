import { type GraphQLFormattedError, print } from 'graphql';
import { createLogger } from '../../src/core/logger';
import { AddLeadsDocument, ImportLeadsCsvDocument } from '../graphql/generated';
import { errorCode, wsClient } from '../support/graphql-client';
import { eventually } from '../support/polling';
import { type TestApp, startTestApp } from '../support/test-app';
import { type Session, adminSession } from '../support/workspace';
import { draftCampaign, linkAccount } from '../webhooks/support/campaign-fixtures';

// A person's data in an import whose INSERT fails: Postgres echoes the row in `detail`, TypeORM
// keeps every bound value in `parameters`.
const PERSON = 'Marguerite-Privatperson';
const POISON = 'Poison';

type LogLine = { reqId?: string; msg: string; err?: Record<string, unknown> };

describe('what an unexpected GraphQL error writes to the log', () => {
  const lines: string[] = [];
  let t: TestApp;
  let admin: Session;
  let campaignId: string;
  const errorLines = (): LogLine[] =>
    lines.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'unexpected error in GraphQL operation');

  beforeAll(async () => {
    t = await startTestApp({}, { log: createLogger('info', { write: (line: string) => void lines.push(line) }) });
    admin = await adminSession(t);
    campaignId = await draftCampaign(t, admin, [(await linkAccount(t, admin)).id]);
    // A failure of the database, not of the request: an INSERT of a lead named "Poison" is refused.
    await t.app.dataSource.query(`ALTER TABLE lead ADD CONSTRAINT no_poison CHECK (first_name IS DISTINCT FROM '${POISON}')`);
  });
  afterAll(async () => {
    await t.app.dataSource.query('ALTER TABLE lead DROP CONSTRAINT no_poison');
    await t.stop();
  });

  it('should log a failed statement of a 5,000-row CSV import once, with the request id, without the values', async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => `person-${i},${i === 4_999 ? POISON : PERSON},Lastname-${i},Company ${i}`);
    const csv = ['public_identifier,first_name,last_name,company', ...rows].join('\n');
    const res = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}`, 'x-request-id': 'csv-import-request-1' },
      body: JSON.stringify({ query: print(ImportLeadsCsvDocument), variables: { campaignId, csv } }),
    });
    const body = (await res.json()) as { errors?: GraphQLFormattedError[] };
    expect(errorCode({ status: res.status, errors: body.errors })).toBe('INTERNAL_SERVER_ERROR');

    const [line, ...more] = await eventually(() => {
      const found = errorLines().filter((l) => l.reqId === 'csv-import-request-1');
      expect(found.length).toBeGreaterThan(0);
      return found;
    });
    expect(more).toEqual([]);
    expect(line.err).toMatchObject({ type: 'QueryFailedError', code: '23514', constraint: 'no_poison', parameterCount: expect.any(Number) });
    expect(String(line.err?.query)).toContain('INSERT INTO');
    const written = lines.join('');
    expect(written).not.toContain(PERSON);
    expect(written).not.toContain('Lastname-');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(16_000);
  });

  it('should log an unexpected error of a graphql-ws operation with the connection\'s request id', async () => {
    const { client } = wsClient(t.wsUrl, { Authorization: `Bearer ${admin.token}` });
    try {
      const before = errorLines().length;
      const errors = await new Promise<readonly GraphQLFormattedError[]>((resolve) => {
        client.subscribe(
          { query: print(AddLeadsDocument), variables: { campaignId, leads: [{ publicIdentifier: 'ws-poison', firstName: POISON, lastName: PERSON }] } },
          { next: (value) => resolve(value.errors ?? []), error: (e) => resolve(e as GraphQLFormattedError[]), complete: () => undefined },
        );
      });
      expect(errors[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const line = await eventually(() => {
        const added = errorLines().slice(before);
        expect(added).toHaveLength(1);
        return added[0];
      });
      expect(line.reqId).toMatch(/^ws-\d+$/);
      expect(lines.join('')).not.toContain(PERSON);
    } finally {
      await client.dispose();
    }
  });
});
