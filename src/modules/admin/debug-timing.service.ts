import type { Clock } from '../../core/clock';
import { NotFoundError } from '../../core/errors';
import { AccountStatus, currentOrNextWindow, dailyCap, isInsideWindow, isRamping, type LinkedInAccount, localDay } from '../accounts';
import type { Viewer } from '../../core/graphql/viewer';
import { CampaignStatus, type SequenceStep, StepKind } from '../campaigns';
import { ACTIVE_LEAD_STATUSES, type Lead } from '../leads';
import { ExecutionState, type StepExecution } from '../outreach';
import type { AccountTiming, CampaignTiming, LeadTiming } from './admin.types';
import type { DebugTimingRepository } from './debug-timing.repository';

const OPEN_EXECUTIONS = [ExecutionState.SCHEDULED, ExecutionState.SENDING, ExecutionState.RETRYING];

/**
 * debugTiming: for each active lead of a campaign, when its next step is due and everything that
 * holds it back right now, using the engine's own rules (working-window.ts, caps.ts, the ledger).
 */
export class DebugTimingService {
  constructor(
    private readonly reads: Pick<DebugTimingRepository, 'findCampaign' | 'leadsByNextAction' | 'accounts' | 'steps' | 'executions' | 'pauses' | 'usage'>,
    private readonly clock: Clock,
  ) {}

  async explain(viewer: Viewer, campaignId: string, first: number): Promise<CampaignTiming> {
    const now = this.clock.now();
    const campaign = await this.reads.findCampaign(viewer.workspaceId, campaignId);
    if (!campaign) throw new NotFoundError('Campaign', campaignId);
    const leads = await this.reads.leadsByNextAction(campaignId, ACTIVE_LEAD_STATUSES, first);
    const accountIds = [...new Set(leads.map((l) => l.accountId).filter((id): id is string => id !== null))];
    const [accounts, steps, executions, pauses] = await Promise.all([
      this.reads.accounts(viewer.workspaceId, accountIds),
      this.reads.steps(campaignId),
      this.reads.executions(leads.map((l) => l.id), OPEN_EXECUTIONS),
      this.reads.pauses(viewer.workspaceId),
    ]);
    const schedulerPaused = pauses.scheduler ?? false;
    const workspacePaused = pauses.workspace ?? false;
    const timings = new Map<string, AccountTiming>();
    for (const account of accounts) timings.set(account.id, await this.accountTiming(account, now));
    return {
      campaignId,
      campaignStatus: campaign.status,
      schedulerPaused,
      workspacePaused,
      now,
      accounts: [...timings.values()],
      leads: leads.map((lead) => {
        const version = lead.sequenceVersion ?? campaign.sequenceVersion;
        const step = steps.find((s) => s.version === version && s.stepIndex === lead.nextStepIndex) ?? null;
        const execution = executions.find((e) => e.leadId === lead.id && e.stepIndex === lead.nextStepIndex) ?? null;
        const account = lead.accountId ? accounts.find((a) => a.id === lead.accountId) : undefined;
        const paused = { scheduler: schedulerPaused, workspace: workspacePaused };
        return this.leadTiming(lead, step, execution, campaign.status, paused, account, lead.accountId ? timings.get(lead.accountId) : undefined, now);
      }),
    };
  }

  private async accountTiming(account: LinkedInAccount, now: Date): Promise<AccountTiming> {
    const day = localDay(account.timezone, now);
    const used = await this.reads.usage(account.id, day);
    const window = currentOrNextWindow(account, now);
    return {
      accountId: account.id,
      displayName: account.displayName,
      status: account.status,
      timezone: account.timezone,
      localDay: day,
      windowStart: window.start,
      windowEnd: window.end,
      insideWindow: isInsideWindow(window, now),
      cooldownUntil: account.cooldownUntil,
      nextSlotAt: account.nextSlotAt,
      invitesToday: used.inviteToday,
      inviteCapToday: dailyCap(account, 'invite', day),
      messagesToday: used.messageToday,
      messageCapToday: dailyCap(account, 'message', day),
      invitesThisWeek: used.inviteWeek,
      weeklyInviteCap: account.weeklyInviteCap,
    };
  }

  private leadTiming(
    lead: Lead,
    step: SequenceStep | null,
    execution: StepExecution | null,
    campaignStatus: CampaignStatus,
    paused: { scheduler: boolean; workspace: boolean },
    account: LinkedInAccount | undefined,
    timing: AccountTiming | undefined,
    now: Date,
  ): LeadTiming {
    const blockers: string[] = [];
    const words: string[] = [];
    const at = (d: Date) => d.toISOString();
    if (campaignStatus !== CampaignStatus.ACTIVE) blockers.push(`CAMPAIGN_${campaignStatus}`);
    if (paused.scheduler) blockers.push('SCHEDULER_PAUSED');
    if (paused.workspace) blockers.push('WORKSPACE_PAUSED');
    if (!step) blockers.push('NO_NEXT_STEP');
    if (lead.nextActionAt === null) {
      blockers.push('NOT_SCHEDULED');
    } else if (lead.nextActionAt > now) {
      blockers.push('NOT_DUE');
      words.push(`next step due at ${at(lead.nextActionAt)} (${lead.waitingReason ?? 'no reason recorded'})`);
    }
    if (!account || !timing) {
      blockers.push('NO_SENDER');
    } else {
      if (account.status !== AccountStatus.ACTIVE) blockers.push(`ACCOUNT_${account.status}`);
      if (account.cooldownUntil && account.cooldownUntil > now) {
        blockers.push('COOLDOWN');
        words.push(`sender cools down until ${at(account.cooldownUntil)}`);
      }
      if (!timing.insideWindow) {
        blockers.push('OUTSIDE_WORKING_HOURS');
        words.push(`sender's window opens at ${at(timing.windowStart)} (${account.timezone})`);
      }
      if (step?.kind === StepKind.INVITE) {
        if (timing.invitesToday >= timing.inviteCapToday) blockers.push(isRamping(account, timing.localDay) ? 'RAMP_LIMIT' : 'DAILY_CAP_REACHED');
        if (timing.invitesThisWeek >= timing.weeklyInviteCap) blockers.push('WEEKLY_CAP_REACHED');
        words.push(`invites ${timing.invitesToday}/${timing.inviteCapToday} today, ${timing.invitesThisWeek}/${timing.weeklyInviteCap} this week`);
      } else if (step?.kind === StepKind.MESSAGE) {
        if (timing.messagesToday >= timing.messageCapToday) blockers.push('DAILY_CAP_REACHED');
        words.push(`messages ${timing.messagesToday}/${timing.messageCapToday} today`);
      }
    }
    if (execution) {
      // Already an open step execution (the dispatcher runs it when due): the scan will not pick it again.
      blockers.push(`EXECUTION_${execution.state.toUpperCase()}`);
      words.push(`execution ${execution.state} for ${at(execution.scheduledFor)}`);
    }
    const head = blockers.length === 0 ? 'due now: the next scan picks it up' : `waiting: ${blockers.join(', ')}`;
    return {
      leadId: lead.id,
      publicIdentifier: lead.publicIdentifier,
      status: lead.status,
      nextStepIndex: lead.nextStepIndex,
      nextStepKind: step?.kind ?? null,
      nextActionAt: lead.nextActionAt,
      waitingReason: lead.waitingReason,
      accountId: lead.accountId,
      executionState: execution?.state ?? null,
      executionScheduledFor: execution?.scheduledFor ?? null,
      dueNow: blockers.length === 0,
      blockers,
      explanation: [head, ...words].join('; '),
    };
  }
}
