import { AccountStatus, LinkedInAccount } from '../../src/modules/accounts/linkedin-account.entity';
import { Campaign, CampaignStatus } from '../../src/modules/campaigns/campaign.entity';
import { SequenceStep, StepKind } from '../../src/modules/campaigns/sequence-step.entity';
import { LeadStatus } from '../../src/modules/leads/lead-status';
import { Lead } from '../../src/modules/leads/lead.entity';
import { type Gate, eligibilityGates } from '../../src/modules/outreach/eligibility';
import {
  type Decision,
  FRESH_STEP_RULES,
  HELD_RETRY_RECHECK_MS,
  type StepFacts,
  accountCoolingDown,
  accountNotActive,
  campaignNotActive,
  decideStep,
  leadMovedOn,
  onDoNotContactList,
  outsideWorkingHours,
  schedulerPaused,
  slotRefused,
  workspacePaused,
} from '../../src/modules/outreach/step-decision';
import { ExecutionState, StepExecution } from '../../src/modules/outreach/step-execution.entity';
import { senderAccount } from '../factories/sender-account';

// The rules that decide whether a step execution runs now, on plain rows: no database.

const LEASE_MS = 10 * 60_000;
// A Tuesday, 10:00 UTC: inside the account's hours (Monday to Friday, 9:00 to 17:00 UTC).
const NOW = new Date('2025-03-04T10:00:00Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

const execution = (fields: Partial<StepExecution> = {}) =>
  Object.assign(new StepExecution(), {
    id: 'e1',
    leadId: 'l1',
    accountId: 'a1',
    campaignId: 'c1',
    stepIndex: 0,
    sequenceVersion: 1,
    state: ExecutionState.SCHEDULED,
    scheduledFor: minutes(-1),
    attempts: 0,
    sendingStartedAt: null,
    ledgerDay: null,
    ...fields,
  });
const lead = (fields: Partial<Lead> = {}) =>
  Object.assign(new Lead(), {
    id: 'l1',
    workspaceId: 'w1',
    campaignId: 'c1',
    status: LeadStatus.PENDING_INVITE,
    nextStepIndex: 0,
    sequenceVersion: null,
    firstName: 'Ada',
    lastName: 'Lovelace',
    company: 'Engines',
    customFields: {},
    waitingReason: null,
    ...fields,
  });
const account = (fields: Partial<LinkedInAccount> = {}) => senderAccount({ id: 'a1', workspaceId: 'w1', ...fields });
const campaign = (fields: Partial<Campaign> = {}) => Object.assign(new Campaign(), { id: 'c1', status: CampaignStatus.ACTIVE, sequenceVersion: 1, ...fields });
const step = (fields: Partial<SequenceStep> = {}) =>
  Object.assign(new SequenceStep(), { campaignId: 'c1', version: 1, stepIndex: 0, kind: StepKind.INVITE, template: 'Hello {{first_name}}', ...fields });

const facts = (fields: Partial<StepFacts> = {}): StepFacts => ({
  execution: execution(),
  lead: lead(),
  account: account(),
  step: step(),
  campaign: campaign(),
  gate: undefined,
  now: NOW,
  leaseMs: LEASE_MS,
  ...fields,
});

const reasonOf = (d: Decision) => ('reason' in d ? d.reason : d.kind);

describe('a step that is settled or on its way', () => {
  it.each([ExecutionState.SENT, ExecutionState.FAILED, ExecutionState.SKIPPED])('does nothing once %s', (state) => {
    expect(decideStep(facts({ execution: execution({ state }) }))).toEqual({ kind: 'done', result: 'noop' });
  });

  it('leaves a send under a live lease to its worker, and resumes one whose lease ran out', () => {
    const live = execution({ state: ExecutionState.SENDING, sendingStartedAt: minutes(-9) });
    expect(decideStep(facts({ execution: live }))).toEqual({ kind: 'done', result: 'noop' });
    const expired = execution({ state: ExecutionState.SENDING, sendingStartedAt: minutes(-10) });
    expect(decideStep(facts({ execution: expired }))).toEqual({ kind: 'resume', text: 'Hello Ada' });
  });

  it('waits for a retry to come due', () => {
    expect(decideStep(facts({ execution: execution({ state: ExecutionState.RETRYING, scheduledFor: minutes(5) }) }))).toEqual({ kind: 'done', result: 'noop' });
    expect(decideStep(facts({ execution: execution({ state: ExecutionState.RETRYING, scheduledFor: NOW }) })).kind).toBe('resume');
  });

  it('holds a retry while its account cools down or cannot send, without re-checking the lead', () => {
    const retrying = execution({ state: ExecutionState.RETRYING, scheduledFor: NOW });
    const movedOn = lead({ nextStepIndex: 3 });
    expect(decideStep(facts({ execution: retrying, lead: movedOn, account: account({ cooldownUntil: minutes(30) }) }))).toEqual({
      kind: 'hold',
      reason: 'COOLDOWN',
      retryAt: minutes(30),
    });
    expect(decideStep(facts({ execution: retrying, account: account({ status: AccountStatus.DISCONNECTED }) }))).toEqual({
      kind: 'hold',
      reason: 'ACCOUNT_DISCONNECTED',
      retryAt: new Date(NOW.getTime() + HELD_RETRY_RECHECK_MS),
    });
    // Resumed even though the lead moved on: an earlier attempt may have gone out, reconciliation finds out.
    expect(decideStep(facts({ execution: retrying, lead: movedOn })).kind).toBe('resume');
  });

  it('skips a step whose lead, account, step or campaign is gone, rescheduling nothing', () => {
    for (const gone of [{ lead: null }, { account: null }, { step: null }, { campaign: undefined }]) {
      expect(decideStep(facts(gone))).toEqual({ kind: 'skip', reason: 'LEAD_OR_STEP_GONE', lead: null });
    }
  });
});

describe('the rules a fresh step passes', () => {
  const present = { ...facts(), lead: lead(), account: account(), step: step(), campaign: campaign() };

  it('lead moved on: left its sequence, another step, or another sequence version', () => {
    expect(leadMovedOn(present)).toBeUndefined();
    for (const moved of [lead({ status: LeadStatus.RESPONDED }), lead({ nextStepIndex: 1 }), lead({ sequenceVersion: 2 })]) {
      expect(leadMovedOn({ ...present, lead: moved })).toEqual({ kind: 'skip', reason: 'LEAD_MOVED_ON', lead: null });
    }
    // A lead not started yet follows the campaign's current version.
    expect(leadMovedOn({ ...present, campaign: campaign({ sequenceVersion: 2 }) })).toMatchObject({ reason: 'LEAD_MOVED_ON' });
  });

  it('scheduler paused: due now; workspace paused: rescheduled until its admin resumes', () => {
    expect(schedulerPaused({ ...present, gate: 'SCHEDULER_PAUSED' })).toEqual({ kind: 'skip', reason: 'SCHEDULER_PAUSED', lead: present.lead, due: NOW });
    expect(workspacePaused({ ...present, gate: 'WORKSPACE_PAUSED' })).toEqual({ kind: 'skip', reason: 'WORKSPACE_PAUSED', lead: present.lead, due: 'reschedule' });
    expect(schedulerPaused(present)).toBeUndefined();
    expect(workspacePaused({ ...present, gate: 'DO_NOT_CONTACT' })).toBeUndefined();
  });

  it('campaign not active: rescheduled as its status says', () => {
    expect(campaignNotActive({ ...present, campaign: campaign({ status: CampaignStatus.PAUSED }) })).toEqual({
      kind: 'skip',
      reason: 'CAMPAIGN_PAUSED',
      lead: present.lead,
      due: 'reschedule',
    });
    expect(campaignNotActive(present)).toBeUndefined();
  });

  it('account not active: due now; cooling down: due when the cooldown ends', () => {
    expect(accountNotActive({ ...present, account: account({ status: AccountStatus.RESTRICTED }) })).toEqual({
      kind: 'skip',
      reason: 'ACCOUNT_RESTRICTED',
      lead: present.lead,
      due: NOW,
    });
    expect(accountCoolingDown({ ...present, account: account({ cooldownUntil: minutes(20) }) })).toEqual({
      kind: 'skip',
      reason: 'COOLDOWN',
      lead: present.lead,
      due: minutes(20),
    });
    expect(accountCoolingDown({ ...present, account: account({ cooldownUntil: NOW }) })).toBeUndefined();
  });

  it("outside working hours: due when the account's next window opens, in its timezone", () => {
    const evening = new Date('2025-03-04T18:00:00Z');
    expect(outsideWorkingHours({ ...present, now: evening })).toEqual({
      kind: 'skip',
      reason: 'OUTSIDE_WORKING_HOURS',
      lead: present.lead,
      due: new Date('2025-03-05T09:00:00Z'),
    });
    // 10:00 UTC is 05:00 in New York: before its window.
    expect(outsideWorkingHours({ ...present, account: account({ timezone: 'America/New_York' }) })).toMatchObject({ reason: 'OUTSIDE_WORKING_HOURS' });
    expect(outsideWorkingHours(present)).toBeUndefined();
  });

  it('do not contact: the lead is excluded', () => {
    expect(onDoNotContactList({ ...present, gate: 'DO_NOT_CONTACT' })).toEqual({ kind: 'exclude', reason: 'DO_NOT_CONTACT' });
    expect(onDoNotContactList(present)).toBeUndefined();
  });

  it('are checked in order: the first that holds decides', () => {
    expect(FRESH_STEP_RULES).toEqual([
      leadMovedOn,
      schedulerPaused,
      workspacePaused,
      campaignNotActive,
      accountNotActive,
      accountCoolingDown,
      outsideWorkingHours,
      onDoNotContactList,
    ]);
    // Every rule tripped at once, then lifted one by one.
    let f = facts({
      lead: lead({ nextStepIndex: 2 }),
      gate: 'SCHEDULER_PAUSED',
      campaign: campaign({ status: CampaignStatus.PAUSED }),
      account: account({ status: AccountStatus.PAUSED, cooldownUntil: minutes(60), workStartMinute: 12 * 60 }),
    });
    const seen: string[] = [];
    const lift: Array<(f: StepFacts) => StepFacts> = [
      (x) => ({ ...x, lead: lead() }),
      (x) => ({ ...x, gate: 'WORKSPACE_PAUSED' as Gate }),
      (x) => ({ ...x, gate: 'DO_NOT_CONTACT' as Gate }),
      (x) => ({ ...x, campaign: campaign() }),
      (x) => ({ ...x, account: account({ cooldownUntil: minutes(60), workStartMinute: 12 * 60 }) }),
      (x) => ({ ...x, account: account({ workStartMinute: 12 * 60 }) }),
      (x) => ({ ...x, account: account() }),
      (x) => ({ ...x, gate: undefined }),
    ];
    for (const next of lift) {
      seen.push(reasonOf(decideStep(f)));
      f = next(f);
    }
    seen.push(reasonOf(decideStep(f)));
    expect(seen).toEqual([
      'LEAD_MOVED_ON',
      'SCHEDULER_PAUSED',
      'WORKSPACE_PAUSED',
      'CAMPAIGN_PAUSED',
      'ACCOUNT_PAUSED',
      'COOLDOWN',
      'OUTSIDE_WORKING_HOURS',
      'DO_NOT_CONTACT',
      'send',
    ]);
  });
});

describe('the send', () => {
  it('takes a slot of its kind on the account’s local day', () => {
    expect(decideStep(facts())).toEqual({ kind: 'send', text: 'Hello Ada', slot: 'invite', day: '2025-03-04' });
    // 10:00 UTC on Tuesday is 23:00 the same day in Auckland (UTC+13), inside a late window.
    const auckland = account({ timezone: 'Pacific/Auckland', workStartMinute: 20 * 60, workEndMinute: 24 * 60 });
    expect(decideStep(facts({ account: auckland, step: step({ kind: StepKind.MESSAGE, template: 'Hi' }) }))).toEqual({
      kind: 'send',
      text: 'Hi',
      slot: 'message',
      day: '2025-03-04',
    });
    const justAfterMidnight = new Date('2025-03-04T11:30:00Z'); // 00:30 on Wednesday in Auckland
    const lateAuckland = account({ timezone: 'Pacific/Auckland', workStartMinute: 0, workEndMinute: 24 * 60 });
    expect(decideStep(facts({ account: lateAuckland, now: justAfterMidnight }))).toMatchObject({ kind: 'send', day: '2025-03-05' });
  });

  it('an invite without a note sends no text', () => {
    expect(decideStep(facts({ step: step({ template: null }) }))).toMatchObject({ kind: 'send', text: null });
  });

  it('fails the lead when its template misses a value, or the invite note is too long', () => {
    expect(decideStep(facts({ lead: lead({ firstName: null }) }))).toEqual({ kind: 'fail', reason: 'MISSING_TEMPLATE_VALUE:first_name' });
    expect(decideStep(facts({ step: step({ template: 'x'.repeat(301) }) }))).toEqual({ kind: 'fail', reason: 'INVITE_NOTE_TOO_LONG' });
    // A message may be longer than an invite note.
    expect(decideStep(facts({ step: step({ kind: StepKind.MESSAGE, template: 'x'.repeat(301) }) })).kind).toBe('send');
  });

  it('refused by the ledger: skipped with the limit as reason, its lead due now', () => {
    const l = lead();
    expect(slotRefused('WEEKLY_CAP_REACHED', l, NOW)).toEqual({ kind: 'skip', reason: 'WEEKLY_CAP_REACHED', lead: l, due: NOW });
  });
});

describe('eligibility gates', () => {
  it('name the first gate that holds a lead back: scheduler, then workspace, then do-not-contact', () => {
    const lw1 = { id: 'l1', workspaceId: 'w1' };
    const lw2 = { id: 'l2', workspaceId: 'w2' };
    const dnc = new Set(['l1', 'l2']);
    expect(eligibilityGates({ schedulerPaused: true, pausedWorkspaces: new Set(['w1']), doNotContact: dnc }).blocked(lw1)).toBe('SCHEDULER_PAUSED');
    const gates = eligibilityGates({ schedulerPaused: false, pausedWorkspaces: new Set(['w1']), doNotContact: dnc });
    expect([gates.blocked(lw1), gates.blocked(lw2), gates.blocked({ id: 'l3', workspaceId: 'w2' })]).toEqual(['WORKSPACE_PAUSED', 'DO_NOT_CONTACT', undefined]);
  });
});
