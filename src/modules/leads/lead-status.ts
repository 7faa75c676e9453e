import { registerEnumType } from 'type-graphql';

// The lead lifecycle (values as stored, lower case as in the seed plan).
export enum LeadStatus {
  PENDING_INVITE = 'pending_invite',
  INVITE_SENT = 'invite_sent',
  CONNECTED = 'connected',
  MESSAGED = 'messaged',
  RESPONDED = 'responded',
  COMPLETED = 'completed',
  FAILED = 'failed',
  OPTED_OUT = 'opted_out',
  EXCLUDED = 'excluded',
}
registerEnumType(LeadStatus, { name: 'LeadStatus' });

/** Statuses in which a lead is in an active sequence: one such lead per person per workspace. */
export const ACTIVE_LEAD_STATUSES = [
  LeadStatus.PENDING_INVITE,
  LeadStatus.INVITE_SENT,
  LeadStatus.CONNECTED,
  LeadStatus.MESSAGED,
] as const;

/** Statuses that never get another step. */
export const FINAL_LEAD_STATUSES = [
  LeadStatus.RESPONDED,
  LeadStatus.COMPLETED,
  LeadStatus.FAILED,
  LeadStatus.OPTED_OUT,
  LeadStatus.EXCLUDED,
] as const;

export const isActiveLeadStatus = (status: LeadStatus): boolean =>
  (ACTIVE_LEAD_STATUSES as readonly LeadStatus[]).includes(status);

/** SQL list of the active statuses, for partial indexes and queries. */
export const ACTIVE_LEAD_STATUSES_SQL = ACTIVE_LEAD_STATUSES.map((s) => `'${s}'`).join(', ');
