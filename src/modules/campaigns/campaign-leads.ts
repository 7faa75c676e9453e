import type { EntityManager } from 'typeorm';

/**
 * What campaign changes do to the campaign's leads, each in the caller's transaction (`em`).
 *
 * The leads feature implements it and binds it when it is wired (leads.module.ts): leads depend on
 * campaigns (imports lock and extend a campaign), never the other way round, so campaigns names
 * only this small interface and owns none of the lead statements.
 */
export interface CampaignLeads {
  /** Started active leads pinned to one of these senders: they cannot lose it (LinkedIn conversations belong to one account). */
  countStartedOn(em: EntityManager, campaignId: string, accountIds: string[]): Promise<number>;
  /** Unpins the campaign's leads from these senders. */
  releaseSenders(em: EntityManager, campaignId: string, accountIds: string[]): Promise<void>;
  /** Pins active leads without a sender to the campaign's senders. */
  assignSenders(em: EntityManager, campaignId: string): Promise<void>;
  /** Recomputes when each active lead of the campaign is due (after any change of status, senders or sequence). */
  reschedule(em: EntityManager, campaignId: string): Promise<void>;
  /** The campaign ended: leads still on their way stop, and are free to join another campaign. */
  endCampaign(em: EntityManager, campaignId: string, at: Date): Promise<void>;
}

/**
 * A CampaignLeads whose implementation is bound later: the campaigns module is built before the
 * leads module that implements it. Using it before `bind` is a wiring error.
 */
export function lateCampaignLeads(): { leads: CampaignLeads; bind(implementation: CampaignLeads): void } {
  let bound: CampaignLeads | undefined;
  const use = (): CampaignLeads => {
    if (!bound) throw new Error('The leads module has not bound CampaignLeads (it is built after campaigns)');
    return bound;
  };
  return {
    leads: {
      countStartedOn: (em, campaignId, accountIds) => use().countStartedOn(em, campaignId, accountIds),
      releaseSenders: (em, campaignId, accountIds) => use().releaseSenders(em, campaignId, accountIds),
      assignSenders: (em, campaignId) => use().assignSenders(em, campaignId),
      reschedule: (em, campaignId) => use().reschedule(em, campaignId),
      endCampaign: (em, campaignId, at) => use().endCampaign(em, campaignId, at),
    },
    bind(implementation) {
      bound = implementation;
    },
  };
}
