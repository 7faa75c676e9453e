import { StepKind } from '../../src/modules/campaigns';
import { runDryRun } from '../../src/modules/outreach/simulation/dry-run';
import type { SimulationInput, SimulationOutput } from '../../src/modules/outreach/simulation/dry-run.types';
import { dryRunInput } from '../support/dry-run-fixture';
import { runEngineDryRun } from '../support/engine-dry-run';

// simulateCampaign's dry run (rules in memory) against the engine itself: the same campaign,
// seed and start through the real engine services on a database of their own and the sandbox over
// HTTP (test/support/engine-dry-run.ts). Both must produce the same events at the same instants,
// with the same steps and reasons. Which of several leads due at the same instant goes first is
// the database's row order, so events are compared without the lead they belong to; the totals
// and the leads per status must match too.

/** The timeline without lead identities, in a canonical order. */
const anonymous = (out: SimulationOutput) => out.timeline.map((e) => `${new Date(e.at).toISOString()} ${e.type} ${e.stepIndex} ${e.reason}`).sort();

const totals = (out: SimulationOutput) => ({
  invitesSent: out.invitesSent,
  acceptances: out.acceptances,
  messagesSent: out.messagesSent,
  replies: out.replies,
  truncated: out.truncated,
  leadsByStatus: Object.fromEntries(out.leadsByStatus.map((s) => [s.status, s.count])),
});

async function expectSameAsEngine(input: SimulationInput): Promise<SimulationOutput> {
  const model = runDryRun(input);
  const engine = await runEngineDryRun(input);
  expect(totals(model)).toEqual(totals(engine));
  expect(anonymous(model)).toEqual(anonymous(engine));
  return model;
}

const types = (out: SimulationOutput) => new Set(out.timeline.map((e) => e.type));
const reasons = (out: SimulationOutput) => [...new Set(out.timeline.map((e) => e.reason))];

describe('dry run = the engine', () => {
  it('should produce the engine timeline for three senders over three weeks, acceptances and replies included', async () => {
    const out = await expectSameAsEngine(dryRunInput({ senders: 3, leads: 120, days: 21, seed: '0badc0ffee00' }));
    expect(out.invitesSent).toBeGreaterThan(0);
    expect(out.acceptances).toBeGreaterThan(0);
    expect(out.messagesSent).toBeGreaterThan(0);
    expect(out.replies).toBeGreaterThan(0);
    expect(reasons(out)).toEqual(expect.arrayContaining(['OUTSIDE_WORKING_HOURS', 'DAILY_CAP_REACHED', 'INVITE_ACCEPTED', 'REPLIED']));
  }, 120_000);

  it('should hold the warm-up ramp, the weekly cap and the message cap as the engine does', async () => {
    const input = dryRunInput({
      senders: 1,
      leads: 60,
      days: 16,
      seed: '5eed5eed5eed',
      odds: { acceptProbability: 0.8, replyProbability: 0.1 },
      account: { rampStartCap: 3, rampDailyIncrement: 2, rampTargetCap: 12, dailyInviteCap: 12, weeklyInviteCap: 30, dailyMessageCap: 4, timezone: 'America/New_York' },
      steps: [
        { kind: StepKind.INVITE, delayMinutes: 0, template: null, acceptTimeoutDays: null },
        { kind: StepKind.MESSAGE, delayMinutes: 60, template: 'Hi {{first_name|there}}', acceptTimeoutDays: 5 },
      ],
    });
    input.accounts[0].rampStartedAt = input.start;
    const out = await expectSameAsEngine(input);
    expect(reasons(out)).toEqual(expect.arrayContaining(['RAMP_LIMIT', 'WEEKLY_CAP_REACHED', 'INVITE_NOT_ACCEPTED', 'SEQUENCE_FINISHED']));
  }, 120_000);

  it('should fail leads whose template misses a value, as the engine does', async () => {
    // Leads alternate between the two senders: the first sender's have no first name, so which of
    // its due leads goes first does not change what happens when.
    const out = await expectSameAsEngine(
      dryRunInput({
        senders: 2,
        leads: 40,
        days: 5,
        firstName: (i) => (i % 2 === 0 ? null : `First${i}`),
        steps: [{ kind: StepKind.INVITE, delayMinutes: 0, template: 'Hi {{first_name}}, glad to connect.', acceptTimeoutDays: null }],
      }),
    );
    expect(types(out).has('step_failed')).toBe(true);
    expect(reasons(out)).toContain('MISSING_TEMPLATE_VALUE:first_name');
  }, 120_000);
});
