import { DomainError } from '../../core/errors';

export type AdminErrorCode = 'LEAD_NOT_CONTACTABLE' | 'NO_SENDER' | 'ACCOUNT_NOT_ACTIVE' | 'DAILY_CAP_REACHED' | 'UNIPILE_ERROR';

export class AdminError extends DomainError {
  constructor(code: AdminErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
