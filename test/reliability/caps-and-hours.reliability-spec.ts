import { AUDIT_CHECKS, type SimulationAudit, auditSimulation, describeAudit } from './support/simulation-audit';
import { buildCampaignWorld, type CampaignWorld, type EngineTest, simulationRunner, startEngineTest, type WorldAccount } from '../support/engine-harness';

const DAY = 86_400_000;
const MIN_GAP_MS = 90_000;
const WEEKLY_CAP = 60; // below 5 days × 25: it binds every week
const WARMUP = { startCap: 4, dailyIncrement: 3, targetCap: 19 };

// 10 senders over zones with and without a daylight-saving change inside the month (New York on
// 8 March, London and Paris on 29 March), some with a binding weekly cap, some warming up, some
// with other hours and a Saturday. Small enough to run in about a minute; every kind of account
// still has two or three members and both New York senders work on each side of its change.
const ZONES = ['America/New_York', 'Europe/London', 'Europe/Paris', 'Asia/Tokyo', 'UTC'];
const SENDERS = 10;
const ACCOUNTS: WorldAccount[] = Array.from({ length: SENDERS }, (_, i) => ({
  timezone: ZONES[i % ZONES.length],
  ...(i % 4 === 1 ? { weeklyInviteCap: WEEKLY_CAP } : {}),
  ...(i % 4 === 2 ? { warmup: WARMUP } : {}),
  ...(i % 4 === 3 ? { workingHoursStart: '08:30', workingHoursEnd: '18:15', workingDays: [1, 2, 3, 4, 5, 6], dailyInviteCap: 15 } : {}),
}));
const LEADS = 700; // 70 a sender: more than the weekly cap (it binds), and invites run out within the month

/**
 * A month of the whole engine (10 senders, 700 leads, the default 4-step sequence, the sandbox
 * accepting 30 % and answering 10 %) on a virtual clock, executions of different accounts running
 * side by side; then the audit reads back every send and checks it against hours, caps, pacing
 * and each lead's sequence.
 */
describe('reliability: caps and working hours over a simulated month', () => {
  let e: EngineTest;
  let world: CampaignWorld;
  let audit: SimulationAudit;
  const count = async (sql: string, params: unknown[] = []) => ((await e.t.app.dataSource.query(sql, params))[0]?.n ?? 0) as number;

  beforeAll(async () => {
    e = await startEngineTest({
      start: '2026-03-02T00:00:00.000Z', // a Monday
      sandbox: { seed: 'caps-and-hours', profiles: 0, acceptance: { probability: 0.3 }, reply: { probability: 0.1 } },
      engine: { minGapMs: MIN_GAP_MS, jitterMs: 60_000, scanConcurrency: 4 },
    });
    world = await buildCampaignWorld({ graphqlUrl: e.t.graphqlUrl, token: e.admin.token, sandbox: e.t.app.sandbox! }, { accounts: ACCOUNTS, leads: LEADS });
    await simulationRunner(e.t.app, e.clock, 4).runFor(30 * DAY);
    audit = await auditSimulation(e.t.app.dataSource, { minGapMs: MIN_GAP_MS });
  }, 600_000);
  afterAll(() => e?.t.stop());

  it('should never send outside hours, over a cap, too close together, twice, or out of sequence', () => {
    expect(describeAudit(audit)).toEqual(AUDIT_CHECKS.map((name) => `${name}: ok`));
  });

  it('should have done enough for the checks to mean something', async () => {
    const invites = await count(`SELECT count(*)::int AS n FROM lead_event WHERE type = 'connection_request_sent'`);
    const messages = await count(`SELECT count(*)::int AS n FROM lead_event WHERE type = 'message_sent'`);
    expect(invites).toBeGreaterThan(LEADS * 0.85);
    expect(messages).toBeGreaterThan(100);
    expect(audit.actions).toBe(invites + messages);
    // Every account sent, in its own zone, on both sides of New York's change of offset.
    expect(await count(`SELECT count(DISTINCT linkedin_account_id)::int AS n FROM lead_event WHERE type = 'connection_request_sent'`)).toBe(SENDERS);
    const newYork = world.accounts.filter((a) => a.timezone === 'America/New_York').map((a) => a.id);
    const offsets: Array<{ offset: string }> = await e.t.app.dataSource.query(
      `SELECT DISTINCT (occurred_at AT TIME ZONE 'America/New_York') - (occurred_at AT TIME ZONE 'UTC') AS offset
       FROM lead_event WHERE type = 'connection_request_sent' AND linkedin_account_id = ANY($1::uuid[])`,
      [newYork],
    );
    expect(offsets).toHaveLength(2);
    // The weekly cap was reached (and said so), and the warm-up held its first day to startCap.
    const weekly = world.accounts.filter((_, i) => i % 4 === 1).map((a) => a.id);
    expect(
      await count(
        `SELECT max(w)::int AS n FROM (
           SELECT sum(count(*)) OVER (PARTITION BY linkedin_account_id ORDER BY (occurred_at AT TIME ZONE 'UTC')::date
                                      RANGE BETWEEN INTERVAL '6 days' PRECEDING AND CURRENT ROW) AS w
           FROM lead_event e JOIN linkedin_account a ON a.id = e.linkedin_account_id
           WHERE e.type = 'connection_request_sent' AND e.linkedin_account_id = ANY($1::uuid[])
           GROUP BY linkedin_account_id, (occurred_at AT TIME ZONE 'UTC')::date) x`,
        [weekly],
      ),
    ).toBeGreaterThanOrEqual(WEEKLY_CAP - 5);
    expect(await count(`SELECT count(*)::int AS n FROM lead_event WHERE reason = 'WEEKLY_CAP_REACHED'`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*)::int AS n FROM lead_event WHERE reason = 'RAMP_LIMIT'`)).toBeGreaterThan(0);
    // Warm-up: the first local day with invites sends exactly the ramp's cap of that day.
    const ramping = world.accounts.filter((_, i) => i % 4 === 2).map((a) => a.id);
    const firstDays: Array<{ sent: number; ramp_day: number }> = await e.t.app.dataSource.query(
      `SELECT DISTINCT ON (a.id) count(*)::int AS sent,
              (e.occurred_at AT TIME ZONE a.timezone)::date - (a.ramp_started_at AT TIME ZONE a.timezone)::date AS ramp_day
       FROM lead_event e JOIN linkedin_account a ON a.id = e.linkedin_account_id
       WHERE e.type = 'connection_request_sent' AND a.id = ANY($1::uuid[])
       GROUP BY a.id, 2 ORDER BY a.id, 2`,
      [ramping],
    );
    expect(firstDays).toHaveLength(ramping.length);
    for (const day of firstDays) expect(day.sent).toBe(Math.min(WARMUP.targetCap, WARMUP.startCap + WARMUP.dailyIncrement * day.ramp_day));
  });

  it('should catch each kind of violation when one is slipped into the data', async () => {
    // Raw SQL on purpose: violations the engine never makes, slipped in and rolled back.
    const injected = await e.t.app.dataSource.transaction(async (em) => {
      // A busy account-day sent twice over (a millisecond later): over the cap, too close, sent twice.
      const [{ doubled }]: Array<{ doubled: number }> = await em.query(
        `WITH copied AS (
           INSERT INTO lead_event (workspace_id, campaign_id, lead_id, linkedin_account_id, type, step_index, occurred_at, detected_at, source, meta)
           SELECT workspace_id, campaign_id, lead_id, linkedin_account_id, type, step_index, occurred_at + interval '1 millisecond',
                  detected_at, source, meta
           FROM lead_event WHERE type = 'connection_request_sent' AND linkedin_account_id = $1
             AND (occurred_at AT TIME ZONE $2)::date = (SELECT (min(occurred_at) AT TIME ZONE $2)::date FROM lead_event
                                                         WHERE type = 'connection_request_sent' AND linkedin_account_id = $1)
           RETURNING 1)
         SELECT count(*)::int AS doubled FROM copied`,
        [world.accounts[0].id, world.accounts[0].timezone],
      );
      // One invite at 03:00 local time.
      await em.query(
        `UPDATE lead_event SET occurred_at = (date_trunc('day', occurred_at AT TIME ZONE $2) + interval '3 hours') AT TIME ZONE $2
         WHERE id = (SELECT id FROM lead_event WHERE type = 'connection_request_sent' AND linkedin_account_id = $1 ORDER BY occurred_at DESC LIMIT 1)`,
        [world.accounts[4].id, world.accounts[4].timezone],
      );
      // A weekly cap lowered below what was sent (and below the daily cap, which the API refuses).
      await em.query(`UPDATE linkedin_account SET weekly_invite_cap = 10 WHERE id = $1`, [world.accounts[5].id]);
      // A follow-up (of another account) moved to a minute after its invite.
      await em.query(
        `UPDATE lead_event m SET occurred_at = i.occurred_at + interval '1 minute'
         FROM lead_event i
         WHERE m.id = (SELECT id FROM lead_event WHERE type = 'message_sent' AND step_index = 1 AND linkedin_account_id <> $1
                       ORDER BY occurred_at LIMIT 1)
           AND i.lead_id = m.lead_id AND i.type = 'connection_request_sent'`,
        [world.accounts[0].id],
      );
      const result = await auditSimulation(em, { minGapMs: MIN_GAP_MS });
      throw Object.assign(new Error('roll back'), { result: { ...result, doubled } });
    }).catch((error: { result?: SimulationAudit & { doubled: number } }) => {
      if (!error.result) throw error;
      return error.result;
    });
    for (const name of AUDIT_CHECKS) expect({ [name]: injected[name].total > 0 }).toEqual({ [name]: true });
    // Each doubled invite: its step twice (events) and its person invited twice; out of order in
    // its lead's history, like the follow-up moved before its delay.
    expect(injected.doubled).toBeGreaterThan(0);
    expect(injected.sentTwice.total).toBe(2 * injected.doubled);
    expect(injected.inconsistentHistory.total).toBe(injected.doubled + 1);
    // The real data is untouched.
    expect(describeAudit(await auditSimulation(e.t.app.dataSource, { minGapMs: MIN_GAP_MS }))).toEqual(AUDIT_CHECKS.map((name) => `${name}: ok`));
  });
});
