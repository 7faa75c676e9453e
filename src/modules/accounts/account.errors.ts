import { DomainError } from '../../core/errors';

export type AccountErrorCode =
  | 'UNIPILE_ACCOUNT_NOT_FOUND'
  | 'UNIPILE_ACCOUNT_NOT_LINKEDIN'
  | 'UNIPILE_ACCOUNT_ALREADY_LINKED'
  | 'UNIPILE_UNAVAILABLE'
  | 'ACCOUNT_STILL_DISCONNECTED';

export class AccountError extends DomainError {
  constructor(code: AccountErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
