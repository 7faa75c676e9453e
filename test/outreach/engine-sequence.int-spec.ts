import { DateTime } from 'luxon';
import { type EngineTest, startEngineTest } from '../support/engine-harness';

const DAY = 86_400_000;

describe('sequence engine: the default 4-step sequence', () => {
  let e: EngineTest;
  beforeAll(async () => {
    e = await startEngineTest();
  });
  afterAll(() => e.t.stop());

  it('should invite, then message 3, 6 and 9 days after each previous step, each step once, inside hours and caps', async () => {
    const account = await e.account();
    const { id: campaignId, providerIds } = await e.campaign({ senders: [account.id], leads: 30 });
    await e.runner.runFor(23 * DAY);

    const sandbox = e.t.app.sandbox!;
    const invites = sandbox.sentInvitations(account.unipileAccountId);
    const sent = sandbox.messages({ accountId: account.unipileAccountId, direction: 'outbound' });
    // Every lead: exactly one invitation and three messages.
    expect(invites.map((i) => i.toProviderId).sort()).toEqual([...providerIds].sort());
    for (const providerId of providerIds) {
      expect(sent.filter((m) => m.counterpartProviderId === providerId)).toHaveLength(3);
    }

    const db = e.t.app.dataSource;
    const statuses = await db.query(`SELECT status, count(*)::int AS n FROM lead WHERE campaign_id = $1 GROUP BY status`, [campaignId]);
    expect(statuses).toEqual([{ status: 'completed', n: 30 }]);
    const counts = await db.query(
      `SELECT type, count(*)::int AS n FROM lead_event WHERE campaign_id = $1
       AND type IN ('connection_request_sent', 'connection_accepted', 'message_sent') GROUP BY type ORDER BY type::text`,
      [campaignId],
    );
    expect(counts).toEqual([
      { type: 'connection_accepted', n: 30 },
      { type: 'connection_request_sent', n: 30 },
      { type: 'message_sent', n: 90 },
    ]);

    // Delays count from the previous step sent: 4320, then 8640, then 12960 minutes.
    const perLead: Array<{ lead_id: string; at: Date[] }> = await db.query(
      `SELECT lead_id, array_agg(occurred_at ORDER BY occurred_at) AS at FROM lead_event
       WHERE campaign_id = $1 AND type = 'message_sent' GROUP BY lead_id`,
      [campaignId],
    );
    for (const { at } of perLead) {
      expect(at[1].getTime() - at[0].getTime()).toBeGreaterThanOrEqual(8640 * 60_000);
      expect(at[2].getTime() - at[1].getTime()).toBeGreaterThanOrEqual(12960 * 60_000);
    }

    // Every action in working hours (09:00–17:00 UTC, Monday to Friday), at most 25 invites a day,
    // and never two actions of the account less than the minimum gap apart.
    const times = [...invites.map((i) => i.sentAt), ...sent.map((m) => m.sentAt)].map((d) => new Date(d).getTime()).sort((a, b) => a - b);
    for (const ms of times) {
      const local = DateTime.fromMillis(ms, { zone: 'UTC' });
      expect(local.weekday).toBeLessThanOrEqual(5);
      expect(local.hour).toBeGreaterThanOrEqual(9);
      expect(local.hour).toBeLessThan(17);
    }
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(60_000);
    const perDay = new Map<string, number>();
    for (const i of invites) {
      const day = new Date(i.sentAt).toISOString().slice(0, 10);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(25);
    const ledger = await db.query(`SELECT day::text, kind, used, cap FROM rate_ledger WHERE account_id = $1 ORDER BY day, kind`, [account.id]);
    expect(ledger.every((r: { used: number; cap: number }) => r.used <= r.cap)).toBe(true);
    expect(ledger.filter((r: { kind: string }) => r.kind === 'invite').reduce((s: number, r: { used: number }) => s + r.used, 0)).toBe(30);
  }, 120_000);
});
