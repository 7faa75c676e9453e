// The public surface of this feature: what other features may import (lint forbids reaching past it).
export { EventSource, LeadEventType } from './lead-event-type';
export { LeadEvent } from './lead-event.entity';
export { statusChangedEvent } from './lead-events';
export { LeadEventRepository } from './lead-event.repository';
export type { NewLeadEvent } from './lead-events';
export { containsOptOutPhrase, DEFAULT_OPT_OUT_PHRASES, leadProgressRepositories, LeadProgressService, PRE_REPLY_STATUSES } from './lead-progress.service';
export type { ReplyResult } from './lead-progress.service';
export { ACTIVE_LEAD_STATUSES, isActiveLeadStatus, LeadStatus } from './lead-status';
export { LeadRepository } from './lead.repository';
export { Lead } from './lead.entity';
export { leadsModule } from './leads.module';
