import { DateTime } from 'luxon';
import { AccountStatus } from '../../src/modules/accounts/linkedin-account.entity';
import { dailyCap } from '../../src/modules/accounts/caps';
import { runDryRun } from '../../src/modules/outreach/simulation/dry-run';
import type { SimulationOutput } from '../../src/modules/outreach/simulation/dry-run.types';
import { dryRunInput } from '../support/dry-run-fixture';

// The dry run on its own (no database): the same input gives the same answer, and a long run of
// one sender keeps the sender's caps, working hours and pacing, and the sequence's order. That it
// is the engine's behaviour is dry-run.int-spec.ts.

type Event = SimulationOutput['timeline'][number];

describe('dry run', () => {
  it('should answer the same for the same campaign, seed and start', () => {
    const input = dryRunInput({ senders: 2, leads: 80, days: 20 });
    expect(runDryRun(input)).toEqual(runDryRun(input));
  });

  it('should keep a ramping sender within its caps, working hours and gaps over six weeks, and follow the sequence', () => {
    const input = dryRunInput({
      senders: 1,
      leads: 400,
      days: 42,
      odds: { acceptProbability: 0.5, replyProbability: 0.3 },
      account: { rampStartCap: 4, rampDailyIncrement: 3, rampTargetCap: 25, dailyInviteCap: 25, weeklyInviteCap: 80, dailyMessageCap: 15, timezone: 'Asia/Tokyo' },
    });
    const account = { ...input.accounts[0], rampStartedAt: input.start };
    input.accounts[0] = account;
    const out = runDryRun(input);
    const sends = out.timeline.filter((e) => e.type === 'connection_request_sent' || e.type === 'message_sent');
    expect(out.invitesSent).toBeGreaterThan(150);
    expect(out.messagesSent).toBeGreaterThan(50);

    const local = (e: Event) => DateTime.fromJSDate(new Date(e.at), { zone: account.timezone });
    const perDay = new Map<string, { invite: number; message: number }>();
    for (const e of sends) {
      const t = local(e);
      // Inside the working hours, on a working day.
      expect(account.workingDays).toContain(t.weekday);
      expect(t.hour * 60 + t.minute).toBeGreaterThanOrEqual(account.workStartMinute);
      expect(t.hour * 60 + t.minute).toBeLessThan(account.workEndMinute);
      const day = perDay.get(t.toISODate()!) ?? { invite: 0, message: 0 };
      day[e.type === 'connection_request_sent' ? 'invite' : 'message'] += 1;
      perDay.set(t.toISODate()!, day);
    }
    for (const [day, used] of perDay) {
      expect(used.invite).toBeLessThanOrEqual(dailyCap(account, 'invite', day));
      expect(used.message).toBeLessThanOrEqual(account.dailyMessageCap);
      const week = [...perDay].filter(([d]) => d > DateTime.fromISO(day).minus({ days: 7 }).toISODate()! && d <= day);
      expect(week.reduce((n, [, u]) => n + u.invite, 0)).toBeLessThanOrEqual(account.weeklyInviteCap);
    }
    // The ramp held the first days below the target, and the sender reached it later.
    expect(Math.max(...[...perDay.values()].map((u) => u.invite))).toBe(25);
    expect([...perDay.values()][0].invite).toBeLessThanOrEqual(4);

    const times = sends.map((e) => new Date(e.at).getTime());
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(input.settings.minGapMs);

    // Per lead: one invite, messages only once accepted and in step order, nothing sent after a reply.
    const byLead = new Map<string | null, Event[]>();
    for (const e of out.timeline) byLead.set(e.publicIdentifier, [...(byLead.get(e.publicIdentifier) ?? []), e]);
    for (const events of byLead.values()) {
      const types = events.map((e) => e.type);
      expect(types.filter((t) => t === 'connection_request_sent').length).toBeLessThanOrEqual(1);
      const accepted = types.indexOf('connection_accepted');
      const messages = events.flatMap((e, i) => (e.type === 'message_sent' ? [i] : []));
      if (messages.length > 0) expect(accepted).toBeGreaterThanOrEqual(0);
      for (const i of messages) expect(i).toBeGreaterThan(accepted);
      expect(messages.map((i) => events[i].stepIndex)).toEqual([1, 2, 3].slice(0, messages.length));
      const replied = types.indexOf('message_received');
      if (replied >= 0) expect(types.lastIndexOf('message_sent')).toBeLessThan(replied);
    }
  });

  it('should send nothing for a disconnected sender and say why its leads wait', () => {
    const out = runDryRun(dryRunInput({ senders: 1, leads: 30, days: 7, account: { status: AccountStatus.DISCONNECTED } }));
    expect(out).toMatchObject({ invitesSent: 0, messagesSent: 0, leadsByStatus: [{ status: 'pending_invite', count: 30 }] });
    expect(new Set(out.timeline.map((e) => `${e.type} ${e.reason}`))).toEqual(new Set(['step_deferred ACCOUNT_DISCONNECTED']));
    expect(out.timeline).toHaveLength(30);
  });
});
