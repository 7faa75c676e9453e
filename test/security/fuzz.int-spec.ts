import fc from 'fast-check';
import { print } from 'graphql';
import {
  AccountRateUsageDocument,
  AddLeadsDocument,
  AddToDoNotContactDocument,
  AuditLogDocument,
  CampaignDocument,
  CampaignTimeseriesDocument,
  CreateCampaignDocument,
  CreateUserDocument,
  DebugSendChatDocument,
  DebugTimingDocument,
  ImportLeadsCsvDocument,
  LeadsDocument,
  LoginDocument,
  ReplyAnalyticsDocument,
  SetSequenceDocument,
  UpdateAccountDocument,
} from '../graphql/generated';
import { loginToken } from '../support/session';
import { TEST_ADMIN, type TestApp, startTestApp } from '../support/test-app';

// Tables a malformed request must never write to (login_throttle and audit_log record refusals by design).
const WATCHED = ['workspace', 'app_user', 'linkedin_account', 'campaign', 'sequence_step', 'lead', 'lead_event', 'do_not_contact', 'webhook_event', 'rate_ledger'];

const DOCUMENTS = [
  AccountRateUsageDocument, AddLeadsDocument, AddToDoNotContactDocument, AuditLogDocument, CampaignDocument,
  CampaignTimeseriesDocument, CreateCampaignDocument, CreateUserDocument, DebugSendChatDocument, DebugTimingDocument,
  ImportLeadsCsvDocument, LeadsDocument, LoginDocument, ReplyAnalyticsDocument, SetSequenceDocument, UpdateAccountDocument,
].map((d) => ({ query: print(d), variables: d.definitions.flatMap((def) => ('variableDefinitions' in def ? (def.variableDefinitions ?? []).map((v) => v.variable.name.value) : [])) }));

async function counts(t: TestApp): Promise<Record<string, number>> {
  const [row] = await t.app.dataSource.query(`SELECT ${WATCHED.map((w) => `(SELECT count(*)::int FROM ${w}) AS ${w}`).join(', ')}`);
  return row as Record<string, number>;
}

// Wrong types, wrong shapes, hostile strings: almost never a valid argument.
const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom('', ' ', 'null', '0', '-1', '1e309', 'NaN', "'; DROP TABLE lead; --", '../../etc/passwd', '00000000-0000-0000-0000-000000000000x', '\u0000', 'a'.repeat(5000)),
  fc.integer(),
  fc.double(),
);

// For fields that must be strings: anything else (a schema-valid string for an unknown account is
// stored by design and processed later, so it is not "malformed").
const notString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));

describe('fuzzing: malformed GraphQL inputs and webhook bodies', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
  });
  afterAll(() => t.stop());

  it('should answer thousands of malformed GraphQL requests with 4xx or coded errors, never 5xx or INTERNAL_SERVER_ERROR, writing nothing', async () => {
    const before = await counts(t);
    let accepted = 0;
    const request = fc.record({
      doc: fc.constantFrom(...DOCUMENTS),
      values: fc.array(junk, { minLength: 1, maxLength: 4 }),
      // Sometimes the document itself is cut or spliced.
      cut: fc.option(fc.tuple(fc.nat(), fc.string({ maxLength: 8 })), { freq: 4 }),
      authed: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ doc, values, cut, authed }) => {
        const query = cut ? doc.query.slice(0, cut[0] % doc.query.length) + cut[1] + doc.query.slice(cut[0] % doc.query.length) : doc.query;
        const variables = Object.fromEntries(doc.variables.map((name, i) => [name, values[i % values.length]]));
        const res = await fetch(t.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authed ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query, variables }),
        });
        const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: unknown } }> };
        expect(res.status).toBeLessThan(500);
        if (!body.errors?.length) {
          accepted++;
          return;
        }
        for (const error of body.errors) {
          expect(typeof error.extensions?.code).toBe('string');
          expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
        }
      }),
      { numRuns: 1000, seed: 20260105 },
    );
    expect(accepted).toBe(0);
    expect(await counts(t)).toEqual(before);
  }, 120_000); // a thousand requests, one after the other: ~10 s alone, several times that beside other suites

  it('should answer thousands of malformed webhook deliveries with 4xx on every route, storing nothing', async () => {
    const before = await counts(t);
    const delivery = fc.record({
      route: fc.constantFrom('messaging', 'users', 'account-status'),
      contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined),
      body: fc.oneof(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        fc.record({ event: fc.constantFrom('message_received', 'new_relation', 'message_read'), account_id: notString, message_id: junk, chat_id: junk }, { requiredKeys: ['event', 'account_id'] }).map((v) => JSON.stringify(v)),
        fc.record({ AccountStatus: fc.record({ account_id: notString, account_type: junk, message: junk }, { requiredKeys: [] }) }).map((v) => JSON.stringify(v)),
      ),
    });
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(delivery, async ({ route, contentType, body }) => {
        const res = await fetch(`${t.baseUrl}/api/webhooks/unipile/${route}`, {
          method: 'POST',
          headers: contentType ? { 'content-type': contentType } : {},
          body,
        });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.status).not.toBe(404); // the routes exist: refusals come from validation
      }),
      { numRuns: 1000, seed: 20260105 },
    );
    expect(await counts(t)).toEqual(before);
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
  });
});
