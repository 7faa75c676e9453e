import type { EntityManager } from 'typeorm';
import { LeadRepository } from './lead.repository';

// The schedule statements (LeadRepository.reschedule, rescheduleIds, assignSenders) as functions
// of a manager, for callers of other features that hold a transaction's manager.

/** LeadRepository.reschedule in `em`'s transaction: when each active lead of the campaign (or only these) is due, and why it waits. */
export async function rescheduleLeads(em: EntityManager, campaignId: string, leadIds?: string[]): Promise<void> {
  await new LeadRepository(em).reschedule(campaignId, leadIds);
}

/** rescheduleLeads for leads of any campaigns, by id (a batch of the engine's sends). */
export async function rescheduleLeadIds(em: EntityManager, leadIds: string[]): Promise<void> {
  await new LeadRepository(em).rescheduleIds(leadIds);
}
