import { DomainError } from '../../core/errors';

export type LeadErrorCode = 'LEAD_NOT_ACTIVE' | 'INVALID_CSV' | 'TOO_MANY_LEADS';

export class LeadError extends DomainError {
  constructor(code: LeadErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
