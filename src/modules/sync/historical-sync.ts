import type { Logger } from '../../core/logger';
import { EventSource, type LeadProgressService, PRE_REPLY_STATUSES } from '../leads';
import { type UnipileClient, UnipileError, type UnipileUserRelation } from '../unipile';
import type { SyncAccount, SyncAccountsRepository } from './sync-accounts.repository';
import type { ConnectionCandidate, SyncLeadsRepository } from './sync-leads.repository';
import type { RunProgress, SyncParams, SyncRunner } from './sync-progress';
import type { UnmatchedRelation } from './sync-run.entity';

const PAGE_SIZE = 1000;
const SAMPLE_SIZE = 20;
/** Profile lookups count as LinkedIn profile visits (~100 a day per account): at most this many per account and run. */
export const MAX_PROFILE_LOOKUPS = 80;

export type HistoricalSyncDeps = {
  accounts: SyncAccountsRepository;
  leads: SyncLeadsRepository;
  unipile: Pick<UnipileClient, 'listRelations' | 'getProfile'>;
  progress: LeadProgressService;
  log: Logger;
  /** Connected leads may be due now (their invite step skipped): wakes the engine's scan. */
  onLeadsDue?: () => void;
};

/**
 * Pages through each sender's relations and records, for every lead before its first reply that
 * is one of them, `connection_accepted_historical` (once per lead). Relations often lack
 * `public_identifier`: for those, while leads known only by public identifier remain, the profile
 * is fetched by member id.
 */
export function historicalConnectionsRunner(deps: HistoricalSyncDeps): SyncRunner {
  return async (run, report) => {
    const params = run.params as SyncParams;
    const accounts = await deps.accounts.accountsInScope(run.workspaceId, params.accountId ?? null, params.campaignId ?? null);
    const totals: RunProgress = { processed: 0, matched: 0, unmatched: 0, details: { accounts: accounts.length, leadsInScope: 0, recorded: 0, profileLookups: 0, lookupsSkipped: 0 }, unmatchedSample: [] };
    const count = (key: string, n = 1) => (totals.details[key] = (totals.details[key] as number) + n);

    for (const account of accounts) {
      const candidates = await deps.leads.connectionCandidates(account.id, PRE_REPLY_STATUSES, params.campaignId ?? null);
      count('leadsInScope', candidates.length);
      if (candidates.length === 0) continue;
      const byProvider = groupBy(candidates, (c) => c.providerId);
      const byPublic = groupBy(candidates, (c) => c.publicIdentifier);
      // Leads a relation without public identifier could only match through a profile lookup.
      const needsLookup = new Set(candidates.filter((c) => !c.providerId && c.publicIdentifier).map((c) => c.id));
      let lookups = 0;

      let cursor: string | undefined;
      do {
        const page = await deps.unipile.listRelations(account.unipileAccountId, { cursor, limit: PAGE_SIZE });
        for (const relation of page.items) {
          let publicIdentifier = relation.public_identifier?.toLowerCase() ?? null;
          let leadIds = byProvider.get(relation.member_id) ?? (publicIdentifier ? byPublic.get(publicIdentifier) : undefined);
          if (!leadIds && !publicIdentifier && needsLookup.size > 0) {
            if (lookups < MAX_PROFILE_LOOKUPS) {
              lookups++;
              count('profileLookups');
              publicIdentifier = await lookupPublicIdentifier(deps, account, relation);
              leadIds = publicIdentifier ? byPublic.get(publicIdentifier) : undefined;
            } else {
              count('lookupsSkipped');
            }
          }
          totals.processed++;
          if (!leadIds) {
            totals.unmatched++;
            if (totals.unmatchedSample!.length < SAMPLE_SIZE) totals.unmatchedSample!.push(unmatched(relation, publicIdentifier, account.id));
            continue;
          }
          totals.matched++;
          for (const id of leadIds) needsLookup.delete(id);
          const recorded = await deps.progress.markConnectedHistorically(
            { accountId: account.id, providerId: relation.member_id, publicIdentifier, occurredAt: new Date(relation.created_at), source: EventSource.SYNC },
            leadIds,
          );
          count('recorded', recorded.length);
        }
        await report(totals);
        cursor = page.cursor ?? undefined;
      } while (cursor);
    }
    if ((totals.details.recorded as number) > 0) deps.onLeadsDue?.();
    if (totals.unmatched > 0) deps.log.info({ runId: run.id, unmatched: totals.unmatched, sample: totals.unmatchedSample!.slice(0, 5) }, 'historical sync: relations without a lead');
    return totals;
  };
}

async function lookupPublicIdentifier(deps: HistoricalSyncDeps, account: SyncAccount, relation: UnipileUserRelation): Promise<string | null> {
  try {
    const profile = await deps.unipile.getProfile(account.unipileAccountId, { providerId: relation.member_id });
    return profile.public_identifier?.toLowerCase() ?? null;
  } catch (error) {
    // A private or vanished profile leaves this relation unmatched; the run goes on.
    if (error instanceof UnipileError && (error.code === 'NOT_FOUND' || error.code === 'INVALID_RECIPIENT')) return null;
    throw error;
  }
}

function unmatched(relation: UnipileUserRelation, publicIdentifier: string | null, accountId: string): UnmatchedRelation {
  const name = [relation.first_name, relation.last_name].filter(Boolean).join(' ');
  return { memberId: relation.member_id, publicIdentifier, name: name || null, accountId };
}

function groupBy(candidates: ConnectionCandidate[], key: (c: ConnectionCandidate) => string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const c of candidates) {
    const k = key(c);
    if (k) map.set(k, [...(map.get(k) ?? []), c.id]);
  }
  return map;
}
