import type { EntityManager } from 'typeorm';
import type { EventSource } from './lead-event-type';
import { type LeadFilter, LeadRepository } from './lead.repository';

export type { LeadFilter } from './lead.repository';

/**
 * Takes active leads out of their sequence (status `excluded`, nothing due) and records a
 * status_changed event with the reason for each, in one statement, in `em`'s transaction
 * (LeadRepository.excludeActive). Returns the ids changed.
 */
export function excludeActiveLeads(em: EntityManager, filter: LeadFilter, reason: string, at: Date, source: EventSource): Promise<string[]> {
  return new LeadRepository(em).excludeActive(filter, reason, at, source);
}
