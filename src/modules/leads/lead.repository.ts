import { type EntityManager, In } from 'typeorm';
import { z } from 'zod';
import { type Page, paginate } from '../../core/graphql/pagination';
import { DEFAULT_ACCEPT_TIMEOUT_DAYS } from '../campaigns';
import type { EventSource } from './lead-event-type';
import type { PersonKeys } from './lead-identity';
import type { LeadCandidate } from './lead-rows';
import { ACTIVE_LEAD_STATUSES_SQL, LeadStatus } from './lead-status';
import { Lead } from './lead.entity';

/** Which active leads an exclusion concerns: a campaign's, some by id, or a workspace's matching these people. */
export type LeadFilter =
  | { campaignId: string }
  | { leadIds: string[] }
  | { workspaceId: string; publicIdentifiers: string[]; providerIds: string[] };

export type LeadListFilter = { campaignId?: string | null; status?: LeadStatus | null; search?: string | null };

/** A lead of the workspace that blocks adding the same person: in that campaign, or active in another. */
export type BlockingLead = PersonKeys & { campaignId: string; campaignName: string };

/** A lead an import created, by the identifiers it was created with. */
export type CreatedLead = PersonKeys & { id: string };

/** Who reported an acceptance, and of whom. */
export type AcceptanceMatch = {
  accountId: string;
  providerId: string | null;
  publicIdentifier: string | null;
  /** Also invited leads of the other accounts of the account's workspace. */
  includeSiblings: boolean;
};

const countRow = z.object({ count: z.coerce.number().int() });

/** The statement of reschedule() and rescheduleIds(); `$1` is the default acceptance timeout, `where` selects the leads with the parameters after it. */
const rescheduleSql = (where: string) => `
  UPDATE lead l SET (next_action_at, waiting_reason) = (
    SELECT CASE
             WHEN c.status <> 'ACTIVE' OR w.sending_paused OR l.account_id IS NULL OR s.id IS NULL THEN NULL
             WHEN s.kind = 'MESSAGE' AND l.status = 'invite_sent'
               THEN coalesce(l.invite_sent_at, l.last_step_sent_at, l.created_at)
                    + make_interval(days => coalesce(s.accept_timeout_days, $1))
             ELSE coalesce(l.last_step_sent_at, l.created_at) + make_interval(mins => s.delay_minutes)
           END,
           CASE
             WHEN c.status <> 'ACTIVE' THEN 'CAMPAIGN_' || c.status::text
             WHEN w.sending_paused THEN 'WORKSPACE_PAUSED'
             WHEN l.account_id IS NULL THEN 'NO_SENDER'
             WHEN s.id IS NULL THEN 'NO_NEXT_STEP'
             WHEN s.kind = 'MESSAGE' AND l.status = 'invite_sent' THEN 'WAITING_FOR_ACCEPT'
             ELSE 'WAITING_FOR_DELAY'
           END
    FROM campaign c
    JOIN workspace w ON w.id = c.workspace_id
    LEFT JOIN sequence_step s
      ON s.campaign_id = c.id
     AND s.version = coalesce(l.sequence_version, c.sequence_version)
     AND s.step_index = l.next_step_index
    WHERE c.id = l.campaign_id)
  WHERE ${where}
    AND l.status IN (${ACTIVE_LEAD_STATUSES_SQL})`;

/** The lead table: lists, imports, schedules, exclusions and the progress LinkedIn reports. */
export class LeadRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): LeadRepository {
    return new LeadRepository(em);
  }

  /** One page of the workspace's leads, filtered by campaign, status and a search of names, company and identifier. */
  page(workspaceId: string, filter: LeadListFilter, args: { first: number; after?: string | null }): Promise<Page<Lead>> {
    const qb = this.db.getRepository(Lead).createQueryBuilder('l').where('l.workspace_id = :ws', { ws: workspaceId });
    if (filter.campaignId) qb.andWhere('l.campaign_id = :campaignId', { campaignId: filter.campaignId });
    if (filter.status) qb.andWhere('l.status = :status', { status: filter.status });
    if (filter.search?.trim()) {
      qb.andWhere(
        `(l.public_identifier ILIKE :q OR l.company ILIKE :q OR (coalesce(l.first_name, '') || ' ' || coalesce(l.last_name, '')) ILIKE :q)`,
        { q: `%${filter.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` },
      );
    }
    return paginate(qb, args);
  }

  find(workspaceId: string, id: string): Promise<Lead | null> {
    return this.db.findOne(Lead, { where: { id, workspaceId } });
  }

  byIds(workspaceId: string, ids: readonly string[]): Promise<Lead[]> {
    return this.db.find(Lead, { where: { id: In([...ids]), workspaceId } });
  }

  /**
   * Recomputes when each active lead's next step is due, and why it waits, from its campaign and
   * sequence version (its own once started, the campaign's current one before). Delays count from
   * the last step sent (from when the lead was added, for the first step). A MESSAGE that needs the
   * invite accepted is due at the acceptance deadline, when the engine exits a lead still waiting.
   * Leads of a campaign that is not ACTIVE, of a workspace whose admin paused its sending, or
   * without a sender, are not due at all. All the campaign's active leads, or only those given.
   */
  async reschedule(campaignId: string, leadIds?: string[]): Promise<void> {
    await this.db.query(rescheduleSql('l.campaign_id = $2 AND ($3::uuid[] IS NULL OR l.id = ANY($3::uuid[]))'), [
      DEFAULT_ACCEPT_TIMEOUT_DAYS,
      campaignId,
      leadIds ?? null,
    ]);
  }

  /** reschedule for leads of any campaigns, by id (a batch of the engine's sends). */
  async rescheduleIds(leadIds: string[]): Promise<void> {
    if (leadIds.length === 0) return;
    await this.db.query(rescheduleSql('l.id = ANY($2::uuid[])'), [DEFAULT_ACCEPT_TIMEOUT_DAYS, leadIds]);
  }

  /** Pins active leads without a sender to the campaign's senders, round robin in the order they were added. */
  async assignSenders(campaignId: string): Promise<void> {
    await this.db.query(
      `WITH senders AS (
       SELECT account_id, (row_number() OVER (ORDER BY created_at, account_id) - 1) AS slot, count(*) OVER () AS n
       FROM campaign_sender WHERE campaign_id = $1
     ), targets AS (
       SELECT id, (row_number() OVER (ORDER BY created_at, id) - 1) AS rn
       FROM lead
       WHERE campaign_id = $1 AND account_id IS NULL AND status IN (${ACTIVE_LEAD_STATUSES_SQL})
     )
     UPDATE lead l SET account_id = s.account_id
     FROM targets t JOIN senders s ON s.slot = t.rn % s.n
     WHERE l.id = t.id`,
      [campaignId],
    );
  }

  /**
   * Takes active leads out of their sequence (status `excluded`, nothing due) and records a
   * status_changed event with the reason for each, in one statement. Returns the ids changed.
   */
  async excludeActive(filter: LeadFilter, reason: string, at: Date, source: EventSource): Promise<string[]> {
    const [where, params] =
      'campaignId' in filter
        ? ['campaign_id = $4', [filter.campaignId]]
        : 'leadIds' in filter
          ? ['id = ANY($4::uuid[])', [filter.leadIds]]
          : ['workspace_id = $4 AND (public_identifier = ANY($5) OR provider_id = ANY($6))', [filter.workspaceId, filter.publicIdentifiers, filter.providerIds]];
    const rows: Array<{ lead_id: string }> = await this.db.query(
      `WITH old AS (
       SELECT id, status FROM lead WHERE ${where} AND status IN (${ACTIVE_LEAD_STATUSES_SQL}) FOR NO KEY UPDATE
     ), changed AS (
       UPDATE lead l SET status = 'excluded', status_reason = $1, next_action_at = NULL, waiting_reason = NULL, updated_at = $2
       FROM old WHERE l.id = old.id
       RETURNING l.id, l.workspace_id, l.campaign_id, l.account_id, old.status AS from_status
     )
     INSERT INTO lead_event (workspace_id, campaign_id, lead_id, linkedin_account_id, type, occurred_at, detected_at, source, reason, meta)
     SELECT workspace_id, campaign_id, id, account_id, 'status_changed', $2, $2, $3::event_source, $1,
            jsonb_build_object('from', from_status, 'to', 'excluded')
     FROM changed
     RETURNING lead_id`,
      [reason, at, source, ...params],
    );
    return rows.map((r) => r.lead_id);
  }

  /** The campaign's started active leads pinned to one of these senders. */
  async countStartedOnSenders(campaignId: string, accountIds: string[]): Promise<number> {
    const [row]: unknown[] = await this.db.query(
      `SELECT count(*)::int AS count FROM lead
         WHERE campaign_id = $1 AND account_id = ANY($2) AND next_step_index > 0 AND status IN (${ACTIVE_LEAD_STATUSES_SQL})`,
      [campaignId, accountIds],
    );
    return countRow.parse(row).count;
  }

  /** Unpins the campaign's leads from these senders. */
  async releaseSenders(campaignId: string, accountIds: string[]): Promise<void> {
    await this.db.query(`UPDATE lead SET account_id = NULL WHERE campaign_id = $1 AND account_id = ANY($2)`, [campaignId, accountIds]);
  }

  /** The workspace's leads of these people that are in this campaign or active in any. */
  async blockingLeads(workspaceId: string, campaignId: string, publicIdentifiers: string[], providerIds: string[]): Promise<BlockingLead[]> {
    const rows: Array<{ public_identifier: string | null; provider_id: string | null; campaign_id: string; name: string }> = await this.db.query(
      `SELECT l.public_identifier, l.provider_id, l.campaign_id, c.name
         FROM lead l JOIN campaign c ON c.id = l.campaign_id
         WHERE l.workspace_id = $1
           AND (l.campaign_id = $2 OR l.status IN (${ACTIVE_LEAD_STATUSES_SQL}))
           AND (l.public_identifier = ANY($3) OR l.provider_id = ANY($4))`,
      [workspaceId, campaignId, publicIdentifiers, providerIds],
    );
    return rows.map((r) => ({ publicIdentifier: r.public_identifier, providerId: r.provider_id, campaignId: r.campaign_id, campaignName: r.name }));
  }

  /**
   * One INSERT for all candidates, created at `at` (the clock's time: sequence delays count from
   * it); a person a concurrent import took first is skipped (ON CONFLICT DO NOTHING).
   */
  async insertCandidates(workspaceId: string, campaignId: string, leads: LeadCandidate[], at: Date): Promise<CreatedLead[]> {
    if (leads.length === 0) return [];
    const rows: Array<{ id: string; public_identifier: string | null; provider_id: string | null }> = await this.db.query(
      `INSERT INTO lead (workspace_id, campaign_id, created_at, updated_at,
                         public_identifier, provider_id, first_name, last_name, company, custom_fields)
       SELECT $1, $2, $9, $9, * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
       ON CONFLICT DO NOTHING
       RETURNING id, public_identifier, provider_id`,
      [
        workspaceId,
        campaignId,
        leads.map((l) => l.publicIdentifier),
        leads.map((l) => l.providerId),
        leads.map((l) => l.firstName),
        leads.map((l) => l.lastName),
        leads.map((l) => l.company),
        leads.map((l) => JSON.stringify(l.customFields)),
        at,
      ],
    );
    return rows.map((r) => ({ id: r.id, publicIdentifier: r.public_identifier, providerId: r.provider_id }));
  }

  /**
   * The leads an acceptance may concern, locked: the account's leads before or waiting on their
   * invite, matched by member id or public identifier; with `includeSiblings`, also invited leads
   * of the other accounts of the same workspace.
   */
  lockAcceptanceCandidates(match: AcceptanceMatch): Promise<Lead[]> {
    const qb = this.db
      .getRepository(Lead)
      .createQueryBuilder('l')
      .setLock('for_no_key_update')
      .where('(l.provider_id = :mid OR l.public_identifier = :pub)', { mid: match.providerId, pub: match.publicIdentifier });
    if (match.includeSiblings) {
      // Own leads before an invite, or invited leads of any account of the same workspace.
      qb.andWhere(
        `((l.account_id = :account AND l.status IN (:...own))
            OR (l.status = :invited AND l.account_id IN (
                  SELECT s.id FROM linkedin_account s
                  WHERE s.workspace_id = (SELECT a.workspace_id FROM linkedin_account a WHERE a.id = :account))))`,
        { account: match.accountId, own: [LeadStatus.PENDING_INVITE, LeadStatus.INVITE_SENT], invited: LeadStatus.INVITE_SENT },
      );
    } else {
      qb.andWhere('l.account_id = :account', { account: match.accountId }).andWhere('l.status IN (:...statuses)', {
        statuses: [LeadStatus.PENDING_INVITE, LeadStatus.INVITE_SENT],
      });
    }
    return qb.getMany();
  }

  /** These leads of the account, locked, in one of these statuses and with no acceptance recorded yet. */
  lockUnacceptedLeads(leadIds: string[], accountId: string, statuses: readonly LeadStatus[]): Promise<Lead[]> {
    return this.db
      .getRepository(Lead)
      .createQueryBuilder('l')
      .setLock('for_no_key_update')
      .where('l.id IN (:...ids)', { ids: leadIds })
      .andWhere('l.account_id = :account', { account: accountId })
      .andWhere('l.status IN (:...statuses)', { statuses: [...statuses] })
      .andWhere(
        `NOT EXISTS (SELECT 1 FROM lead_event e WHERE e.lead_id = l.id
                       AND e.type IN ('connection_accepted', 'connection_accepted_historical'))`,
      )
      .getMany();
  }

  async update(leadId: string, changes: Partial<Lead>): Promise<void> {
    await this.db.update(Lead, leadId, changes);
  }
}
