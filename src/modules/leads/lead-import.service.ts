import type { Clock } from '../../core/clock';
import type { TransactionRunner } from '../../core/db/transaction';
import type { Viewer } from '../../core/graphql/viewer';
import type { CampaignService } from '../campaigns';
import type { DoNotContactRepository } from './do-not-contact.repository';
import { EventSource, LeadEventType } from './lead-event-type';
import type { LeadEventRepository } from './lead-event.repository';
import { personKeys } from './lead-identity';
import { type LeadCandidate, type RawLead, type RowProblem, isProblem, parseLeadsCsv, validateLead } from './lead-rows';
import { LeadError } from './lead.errors';
import type { LeadRepository } from './lead.repository';
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
    private readonly db: TransactionRunner,
    private readonly leads: LeadRepository,
    private readonly events: LeadEventRepository,
    private readonly doNotContact: DoNotContactRepository,
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

    await this.db.transaction(async (em) => {
      const leads = this.leads.withManager(em);
      const campaign = await this.campaigns.lockEditable(em, viewer, campaignId);
      const blockers = await this.findBlockers(leads, this.doNotContact.withManager(em), viewer.workspaceId, campaignId, candidates);
      const toInsert: LeadCandidate[] = [];
      for (const c of candidates) {
        const blocker = personKeys(c).map((k) => blockers.get(k)).find(Boolean);
        if (blocker) results.push({ row: c.row, outcome: blocker.outcome, reason: blocker.reason, leadId: null });
        else toInsert.push(c);
      }
      const created = await insertLeads(leads, viewer.workspaceId, campaignId, toInsert, this.clock.now());
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
      await leads.assignSenders(campaignId);
      await leads.reschedule(campaignId, createdIds);
      const now = this.clock.now();
      await this.events.withManager(em).insert(
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
    leads: LeadRepository,
    doNotContact: DoNotContactRepository,
    workspaceId: string,
    campaignId: string,
    candidates: LeadCandidate[],
  ): Promise<Map<string, Blocker>> {
    const publics = candidates.flatMap((c) => (c.publicIdentifier ? [c.publicIdentifier] : []));
    const providers = candidates.flatMap((c) => (c.providerId ? [c.providerId] : []));
    const blockers = new Map<string, Blocker>();
    if (candidates.length === 0) return blockers;
    for (const person of await doNotContact.matching(workspaceId, publics, providers)) {
      for (const key of personKeys(person)) {
        blockers.set(key, { outcome: ImportOutcome.EXCLUDED, reason: 'on the do-not-contact list' });
      }
    }
    for (const lead of await leads.blockingLeads(workspaceId, campaignId, publics, providers)) {
      const reason =
        lead.campaignId === campaignId ? 'already in this campaign' : `in an active sequence of campaign "${lead.campaignName}"`;
      for (const key of personKeys(lead)) {
        if (!blockers.has(key)) blockers.set(key, { outcome: ImportOutcome.DUPLICATE, reason });
      }
    }
    return blockers;
  }
}

/**
 * Inserts the leads (one statement; a person a concurrent import took first is skipped) and
 * gives the id created under each person key. `now` is the clock's, not the database's now():
 * sequence delays count from it, also on a virtual clock.
 */
async function insertLeads(leads: LeadRepository, workspaceId: string, campaignId: string, candidates: LeadCandidate[], now: Date): Promise<Map<string, string>> {
  const created = new Map<string, string>();
  for (const lead of await leads.insertCandidates(workspaceId, campaignId, candidates, now)) {
    for (const key of personKeys(lead)) created.set(key, lead.id);
  }
  return created;
}
