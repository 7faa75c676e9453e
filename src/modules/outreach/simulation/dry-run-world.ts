import type { LinkedInAccount } from '../../accounts';
import { LeadEventType, LeadStatus } from '../../leads';
import type { SandboxWorld } from '../../unipile';
import type { EventQueue } from '../../../core/time/event-queue';
import { type DryAccount, DryRunState } from './dry-run-state';
import type { SimulationInput, SimulationOutput } from './dry-run.types';

const MAX_TIMELINE = 10_000;

/**
 * The campaign copied into a dry run: its senders as LinkedIn accounts, its leads as members,
 * every lead from the first step and due as its sequence says (pinned to its sender, else the
 * senders in turn).
 */
export function copyCampaign(input: SimulationInput, campaignId: string, world: SandboxWorld, dueTimes: EventQueue): DryRunState {
  const { accounts, leads, steps, start } = input;
  const senders = accounts.map(
    (row): DryAccount => ({
      row: { ...row, cooldownUntil: null, nextSlotAt: null } as LinkedInAccount,
      remoteId: world.linkedin.createAccount({ name: row.displayName }).id,
      waiting: new Set(),
      executions: [],
      pending: { invite: 0, message: 0 },
      nextSlotAt: null,
    }),
  );
  const senderOf = new Map(accounts.map((a, i) => [a.id, senders[i]]));
  // Scanned in id order, as the engine scans (the pacing jitter is drawn in that order).
  const scanOrder = [...senders].sort((a, b) => (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0));
  const state = new DryRunState(scanOrder, new Map(steps.map((s) => [s.stepIndex, s])), dueTimes);
  leads.forEach((source, i) => {
    const member = world.linkedin.createProfile({
      publicIdentifier: source.publicIdentifier ?? undefined,
      providerId: source.providerId ?? undefined,
      firstName: source.firstName ?? undefined,
      lastName: source.lastName ?? undefined,
    });
    const sender = (source.accountId && senderOf.get(source.accountId)) || senders[i % senders.length];
    // A literal of one shape (not a spread of the row): the scans read these objects millions of times.
    state.addLead({
      id: `lead-${i}`,
      workspaceId: 'dry-run',
      campaignId,
      accountId: sender.row.id,
      publicIdentifier: source.publicIdentifier,
      providerId: source.providerId ?? member.providerId,
      firstName: source.firstName,
      lastName: source.lastName,
      company: source.company,
      customFields: source.customFields ?? {},
      status: LeadStatus.PENDING_INVITE,
      statusReason: null,
      sequenceVersion: null,
      nextStepIndex: 0,
      nextActionAt: null,
      waitingReason: null,
      lastStepSentAt: null,
      chatId: null,
      inviteSentAt: null,
      connectedAt: null,
      firstOutboundAt: null,
      firstReplyAt: null,
      lastStepBeforeReply: null,
      createdAt: start,
      updatedAt: start,
    });
  });
  return state;
}

/** What simulateCampaign answers: totals from the events, leads per status, the timeline in time order (cut at 10,000 events). */
export function summarize(input: SimulationInput, state: DryRunState, endedAt: Date): SimulationOutput {
  const count = (...types: LeadEventType[]) => state.events.filter((e) => types.includes(e.type)).length;
  const statuses = new Map<string, number>();
  for (const lead of state.leads) statuses.set(lead.status, (statuses.get(lead.status) ?? 0) + 1);
  const timeline = [...state.events].sort((a, b) => a.at.getTime() - b.at.getTime() || a.seq - b.seq);
  return {
    campaignId: input.campaignId,
    days: input.days,
    startedAt: input.start,
    endedAt,
    leads: input.leads.length,
    invitesSent: count(LeadEventType.CONNECTION_REQUEST_SENT),
    acceptances: count(LeadEventType.CONNECTION_ACCEPTED, LeadEventType.CONNECTION_ACCEPTED_HISTORICAL),
    messagesSent: count(LeadEventType.MESSAGE_SENT),
    replies: count(LeadEventType.MESSAGE_RECEIVED),
    leadsByStatus: [...statuses].map(([status, n]) => ({ status, count: n })).sort((a, b) => b.count - a.count || a.status.localeCompare(b.status)),
    truncated: timeline.length > MAX_TIMELINE,
    timeline: timeline.slice(0, MAX_TIMELINE).map((e) => ({
      at: e.at,
      publicIdentifier: e.lead.publicIdentifier,
      providerId: e.lead.providerId,
      type: e.type,
      stepIndex: e.stepIndex,
      reason: e.reason,
    })),
  };
}
