import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EventSource, type LeadEventType } from '../../src/modules/leads/lead-event-type';
import { insertLeadEvents } from '../../src/modules/leads/lead-events';
import type { LeadStatus } from '../../src/modules/leads/lead-status';

// Rows for analytics tests, written straight into the database (raw SQL, so they stay valid while
// entities evolve). Events go through insertLeadEvents, the producers' own path, so the rollup
// trigger sees them exactly as it sees the engine's.

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

export async function insertAccount(ds: DataSource, workspaceId: string, attrs: AccountAttrs = {}): Promise<string> {
  const rows: Array<{ id: string }> = await ds.query(
    `INSERT INTO linkedin_account (workspace_id, unipile_account_id, owner_provider_id, display_name, timezone, status,
       daily_invite_cap, daily_message_cap, weekly_invite_cap, work_start_minute, work_end_minute, working_days,
       ramp_start_cap, ramp_daily_increment, ramp_target_cap, ramp_started_at, cooldown_until)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
    [
      workspaceId,
      `acc-${randomUUID()}`,
      `ACoAA${randomUUID().slice(0, 8)}`,
      attrs.displayName ?? `Sender ${randomUUID().slice(0, 6)}`,
      attrs.timezone ?? 'UTC',
      attrs.status ?? 'ACTIVE',
      attrs.dailyInviteCap ?? 25,
      attrs.dailyMessageCap ?? 100,
      attrs.weeklyInviteCap ?? 100,
      attrs.workStartMinute ?? 9 * 60,
      attrs.workEndMinute ?? 17 * 60,
      attrs.workingDays ?? [1, 2, 3, 4, 5],
      attrs.ramp?.startCap ?? null,
      attrs.ramp?.dailyIncrement ?? null,
      attrs.ramp?.targetCap ?? null,
      attrs.ramp?.startedAt ?? null,
      attrs.cooldownUntil ?? null,
    ],
  );
  return rows[0].id;
}

export async function insertCampaign(ds: DataSource, workspaceId: string, name = `Campaign ${randomUUID().slice(0, 8)}`): Promise<string> {
  const rows: Array<{ id: string }> = await ds.query(
    `INSERT INTO campaign (workspace_id, name, status) VALUES ($1, $2, 'ACTIVE') RETURNING id`,
    [workspaceId, name],
  );
  return rows[0].id;
}

export type TestLead = { id: string; workspaceId: string; campaignId: string; accountId: string | null };

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
  await insertLeadEvents(
    ds.manager,
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
