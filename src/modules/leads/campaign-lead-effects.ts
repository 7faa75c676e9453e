import type { EntityManager } from 'typeorm';
import type { CampaignLeads } from '../campaigns';
import { EventSource } from './lead-event-type';
import type { LeadRepository } from './lead.repository';

/** The leads side of campaign changes (CampaignLeads), bound to the campaigns module at wiring. */
export class CampaignLeadEffects implements CampaignLeads {
  constructor(private readonly leads: LeadRepository) {}

  countStartedOn(em: EntityManager, campaignId: string, accountIds: string[]): Promise<number> {
    return this.leads.withManager(em).countStartedOnSenders(campaignId, accountIds);
  }

  releaseSenders(em: EntityManager, campaignId: string, accountIds: string[]): Promise<void> {
    return this.leads.withManager(em).releaseSenders(campaignId, accountIds);
  }

  assignSenders(em: EntityManager, campaignId: string): Promise<void> {
    return this.leads.withManager(em).assignSenders(campaignId);
  }

  reschedule(em: EntityManager, campaignId: string): Promise<void> {
    return this.leads.withManager(em).reschedule(campaignId);
  }

  async endCampaign(em: EntityManager, campaignId: string, at: Date): Promise<void> {
    await this.leads.withManager(em).excludeActive({ campaignId }, 'CAMPAIGN_ENDED', at, EventSource.OPERATOR);
  }
}
