import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../core/clock';
import type { Viewer } from '../../core/graphql/viewer';
import type { CampaignService } from '../campaigns/campaign.service';
import { EventSource, LeadEventType } from './lead-event-type';
import { insertLeadEvents } from './lead-events';
import { personKeys } from './lead-identity';
import { type LeadCandidate, type RawLead, type RowProblem, isProblem, parseLeadsCsv, validateLead } from './lead-rows';
import { assignSenders, rescheduleLeads } from './lead-schedule';
import { ACTIVE_LEAD_STATUSES_SQL } from './lead-status';
import { LeadError } from './lead.errors';
import { ImportLeadsResult, ImportOutcome, type ImportRowResult } from './lead.types';

export const MAX_LEADS_PER_IMPORT = 20_000;

type Blocker = { outcome: ImportOutcome.DUPLICATE | ImportOutcome.EXCLUDED; reason: string };

/**
 * Adds leads to a campaign, one by one or thousands at a time, reporting each row: created,
 * duplicate (in this campaign, active in another, or repeated in the input), excluded
 * (do-not-contact) or invalid. All writes happen in one transaction: an import that fails
 * leaves nothing behind, and bad rows never stop the good ones.
 */
export class LeadImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly campaigns: CampaignService,
    private readonly clock: Clock,
    /** Called after leads were created, so the engine scans soon. */
    private readonly onNewWork: () => void = () => undefined,
  ) {}

  addLeads(viewer: Viewer, campaignId: string, leads: RawLead[]): Promise<ImportLeadsResult> {
    return this.import(viewer, campaignId, leads.map((lead, i) => ({ row: i + 1, lead })), 'list');
  }

  importCsv(viewer: Viewer, campaignId: string, csv: string): Promise<ImportLeadsResult> {
    return this.import(viewer, campaignId, parseLeadsCsv(csv), 'csv');
  }

  private async import(
    viewer: Viewer,
    campaignId: string,
    rows: Array<{ row: number; lead: RawLead } | RowProblem>,
    via: 'list' | 'csv',
  ): Promise<ImportLeadsResult> {
    if (rows.length > MAX_LEADS_PER_IMPORT) {
      throw new LeadError('TOO_MANY_LEADS', `At most ${MAX_LEADS_PER_IMPORT} leads per call (got ${rows.length})`);
    }
    const results: ImportRowResult[] = [];
    const candidates: LeadCandidate[] = [];
    const seen = new Map<string, number>();
    for (const raw of rows) {
      const checked = isProblem(raw) ? raw : validateLead(raw.row, raw.lead);
      if (isProblem(checked)) {
        results.push({ row: checked.row, outcome: ImportOutcome.INVALID, reason: checked.reason, leadId: null });
        continue;
      }
      const repeated = personKeys(checked).map((k) => seen.get(k)).find((r) => r !== undefined);
      if (repeated !== undefined) {
        results.push({ row: checked.row, outcome: ImportOutcome.DUPLICATE, reason: `same person as row ${repeated}`, leadId: null });
        continue;
      }
      for (const key of personKeys(checked)) seen.set(key, checked.row);
      candidates.push(checked);
    }

    await this.dataSource.transaction(async (em) => {
      const campaign = await this.campaigns.lockEditable(em, viewer, campaignId);
      const blockers = await this.findBlockers(em, viewer.workspaceId, campaignId, candidates);
      const toInsert: LeadCandidate[] = [];
      for (const c of candidates) {
        const blocker = personKeys(c).map((k) => blockers.get(k)).find(Boolean);
        if (blocker) results.push({ row: c.row, outcome: blocker.outcome, reason: blocker.reason, leadId: null });
        else toInsert.push(c);
      }
      const created = await this.insertLeads(em, viewer.workspaceId, campaignId, toInsert);
      for (const c of toInsert) {
        const leadId = personKeys(c).map((k) => created.get(k)).find(Boolean) ?? null;
        results.push(
          leadId
            ? { row: c.row, outcome: ImportOutcome.CREATED, reason: null, leadId }
            : { row: c.row, outcome: ImportOutcome.DUPLICATE, reason: 'added concurrently by another import', leadId: null },
        );
      }
      const createdIds = [...new Set(created.values())];
      if (createdIds.length === 0) return;
      const newFields = [...new Set(toInsert.flatMap((c) => Object.keys(c.customFields)))];
      await this.campaigns.declareCustomFields(em, campaign, newFields);
      await assignSenders(em, campaignId);
      await rescheduleLeads(em, campaignId, createdIds);
      const now = this.clock.now();
      await insertLeadEvents(
        em,
        createdIds.map((leadId) => ({
          workspaceId: viewer.workspaceId,
          campaignId,
          leadId,
          type: LeadEventType.LEAD_ADDED,
          occurredAt: now,
          source: EventSource.IMPORT,
          meta: { via, by: viewer.userId },
        })),
      );
    });

    results.sort((a, b) => a.row - b.row);
    if (results.some((r) => r.outcome === ImportOutcome.CREATED)) this.onNewWork();
    const count = (outcome: ImportOutcome) => results.filter((r) => r.outcome === outcome).length;
    return Object.assign(new ImportLeadsResult(), {
      created: count(ImportOutcome.CREATED),
      duplicates: count(ImportOutcome.DUPLICATE),
      excluded: count(ImportOutcome.EXCLUDED),
      invalid: count(ImportOutcome.INVALID),
      rows: results,
    });
  }

  /** Why a person cannot be added: on the do-not-contact list, already in this campaign, or active elsewhere. */
  private async findBlockers(
    em: EntityManager,
    workspaceId: string,
    campaignId: string,
    candidates: LeadCandidate[],
  ): Promise<Map<string, Blocker>> {
    const publics = candidates.flatMap((c) => (c.publicIdentifier ? [c.publicIdentifier] : []));
    const providers = candidates.flatMap((c) => (c.providerId ? [c.providerId] : []));
    const blockers = new Map<string, Blocker>();
    if (candidates.length === 0) return blockers;
    const dnc: Array<{ public_identifier: string | null; provider_id: string | null }> = await em.query(
      `SELECT public_identifier, provider_id FROM do_not_contact
       WHERE workspace_id = $1 AND (public_identifier = ANY($2) OR provider_id = ANY($3))`,
      [workspaceId, publics, providers],
    );
    for (const row of dnc) {
      for (const key of personKeys({ publicIdentifier: row.public_identifier, providerId: row.provider_id })) {
        blockers.set(key, { outcome: ImportOutcome.EXCLUDED, reason: 'on the do-not-contact list' });
      }
    }
    const existing: Array<{ public_identifier: string | null; provider_id: string | null; campaign_id: string; name: string }> =
      await em.query(
        `SELECT l.public_identifier, l.provider_id, l.campaign_id, c.name
         FROM lead l JOIN campaign c ON c.id = l.campaign_id
         WHERE l.workspace_id = $1
           AND (l.campaign_id = $2 OR l.status IN (${ACTIVE_LEAD_STATUSES_SQL}))
           AND (l.public_identifier = ANY($3) OR l.provider_id = ANY($4))`,
        [workspaceId, campaignId, publics, providers],
      );
    for (const row of existing) {
      const reason =
        row.campaign_id === campaignId ? 'already in this campaign' : `in an active sequence of campaign "${row.name}"`;
      for (const key of personKeys({ publicIdentifier: row.public_identifier, providerId: row.provider_id })) {
        if (!blockers.has(key)) blockers.set(key, { outcome: ImportOutcome.DUPLICATE, reason });
      }
    }
    return blockers;
  }

  /** One INSERT for all rows; a row a concurrent import took first is skipped (ON CONFLICT DO NOTHING). */
  private async insertLeads(
    em: EntityManager,
    workspaceId: string,
    campaignId: string,
    leads: LeadCandidate[],
  ): Promise<Map<string, string>> {
    const created = new Map<string, string>();
    if (leads.length === 0) return created;
    const rows: Array<{ id: string; public_identifier: string | null; provider_id: string | null }> = await em.query(
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
        // The clock, not the database's now(): sequence delays count from here, also on a virtual clock.
        this.clock.now(),
      ],
    );
    for (const row of rows) {
      for (const key of personKeys({ publicIdentifier: row.public_identifier, providerId: row.provider_id })) {
        created.set(key, row.id);
      }
    }
    return created;
  }
}
