import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AccountRepository } from '../../src/modules/accounts/account.repository';
import { AccountStatus } from '../../src/modules/accounts/linkedin-account.entity';
import { CampaignStatus } from '../../src/modules/campaigns/campaign.entity';
import { CampaignRepository } from '../../src/modules/campaigns/campaign.repository';
import { EventSource, type LeadEventType } from '../../src/modules/leads/lead-event-type';
import { LeadEventRepository } from '../../src/modules/leads/lead-event.repository';
import type { LeadStatus } from '../../src/modules/leads/lead-status';

// Rows for analytics tests. Accounts and campaigns are saved through their repositories; leads are
// written directly (see insertLead). Events go through LeadEventRepository.insert, the producers' own path,
// so the rollup trigger sees them exactly as it sees the engine's.

export type AccountAttrs = {
  displayName?: string;
  timezone?: string;
  status?: 'ACTIVE' | 'PAUSED' | 'DISCONNECTED' | 'RESTRICTED';
  dailyInviteCap?: number;
  dailyMessageCap?: number;
  weeklyInviteCap?: number;
  workStartMinute?: number;
  workEndMinute?: number;
  workingDays?: number[];
  ramp?: { startCap: number; dailyIncrement: number; targetCap: number; startedAt: string };
  cooldownUntil?: string | null;
};

/** An account as AccountRepository saves one, with the status and settings given (none through Unipile). */
export async function insertAccount(ds: DataSource, workspaceId: string, attrs: AccountAttrs = {}): Promise<string> {
  const accounts = new AccountRepository(ds.manager);
  const account = await accounts.save(
    accounts.build({
      workspaceId,
      unipileAccountId: `acc-${randomUUID()}`,
      ownerProviderId: `ACoAA${randomUUID().slice(0, 8)}`,
      displayName: attrs.displayName ?? `Sender ${randomUUID().slice(0, 6)}`,
      timezone: attrs.timezone ?? 'UTC',
      status: AccountStatus[attrs.status ?? 'ACTIVE'],
      dailyInviteCap: attrs.dailyInviteCap ?? 25,
      dailyMessageCap: attrs.dailyMessageCap ?? 100,
      weeklyInviteCap: attrs.weeklyInviteCap ?? 100,
      workStartMinute: attrs.workStartMinute ?? 9 * 60,
      workEndMinute: attrs.workEndMinute ?? 17 * 60,
      workingDays: attrs.workingDays ?? [1, 2, 3, 4, 5],
      rampStartCap: attrs.ramp?.startCap ?? null,
      rampDailyIncrement: attrs.ramp?.dailyIncrement ?? null,
      rampTargetCap: attrs.ramp?.targetCap ?? null,
      rampStartedAt: attrs.ramp ? new Date(attrs.ramp.startedAt) : null,
      cooldownUntil: attrs.cooldownUntil ? new Date(attrs.cooldownUntil) : null,
    }),
  );
  return account.id;
}

/** An ACTIVE campaign without senders or sequence, as CampaignRepository saves one. */
export async function insertCampaign(ds: DataSource, workspaceId: string, name = `Campaign ${randomUUID().slice(0, 8)}`): Promise<string> {
  const campaigns = new CampaignRepository(ds.manager);
  const campaign = campaigns.build({
    workspaceId,
    name,
    description: null,
    status: CampaignStatus.ACTIVE,
    customFields: [],
    sequenceVersion: 0,
    activatedAt: null,
  });
  await campaigns.save(campaign);
  return campaign.id;
}

export type TestLead = { id: string; workspaceId: string; campaignId: string; accountId: string | null };

/**
 * A lead already at `status`, with no event. Raw SQL: the app adds a lead with its lead_added event
 * and moves it with more, while these tests record exactly the events they count (recordEvents).
 */
export async function insertLead(
  ds: DataSource,
  attrs: { workspaceId: string; campaignId: string; accountId?: string | null; status: LeadStatus },
): Promise<TestLead> {
  const rows: Array<{ id: string }> = await ds.query(
    `INSERT INTO lead (workspace_id, campaign_id, account_id, public_identifier, status) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [attrs.workspaceId, attrs.campaignId, attrs.accountId ?? null, `lead-${randomUUID()}`, attrs.status],
  );
  return { id: rows[0].id, workspaceId: attrs.workspaceId, campaignId: attrs.campaignId, accountId: attrs.accountId ?? null };
}

export type EventSpec = { type: LeadEventType; at: string; step?: number; meta?: Record<string, unknown>; accountId?: string | null };

/** Records events of one lead in one statement (as a producer's transaction would). */
export async function recordEvents(ds: DataSource, lead: TestLead, events: EventSpec[]): Promise<void> {
  await new LeadEventRepository(ds.manager).insert(
    events.map((e) => ({
      workspaceId: lead.workspaceId,
      campaignId: lead.campaignId,
      leadId: lead.id,
      linkedinAccountId: e.accountId === undefined ? lead.accountId : e.accountId,
      type: e.type,
      stepIndex: e.step ?? null,
      occurredAt: new Date(e.at),
      source: EventSource.ENGINE,
      meta: e.meta,
    })),
  );
}
