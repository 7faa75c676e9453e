import { DomainError } from '../../core/errors';

export type CampaignErrorCode =
  | 'CAMPAIGN_NAME_TAKEN'
  | 'INVALID_STATUS_TRANSITION'
  | 'CAMPAIGN_NOT_READY'
  | 'CAMPAIGN_NOT_EDITABLE'
  | 'INVALID_SEQUENCE'
  | 'UNKNOWN_ACCOUNT'
  | 'SENDER_HAS_ACTIVE_LEADS';

export class CampaignError extends DomainError {
  constructor(code: CampaignErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
