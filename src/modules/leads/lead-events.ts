import { type EventSource, LeadEventType } from './lead-event-type';
import type { NewLeadEvent } from './lead-event.repository';
import type { LeadStatus } from './lead-status';

export type { NewLeadEvent } from './lead-event.repository';

/** The event that records a status change, with why. */
export function statusChangedEvent(
  lead: { id: string; workspaceId: string; campaignId: string; accountId: string | null },
  from: LeadStatus,
  to: LeadStatus,
  reason: string,
  at: Date,
  source: EventSource,
): NewLeadEvent {
  return {
    workspaceId: lead.workspaceId,
    campaignId: lead.campaignId,
    leadId: lead.id,
    linkedinAccountId: lead.accountId,
    type: LeadEventType.STATUS_CHANGED,
    occurredAt: at,
    source,
    reason,
    meta: { from, to },
  };
}
