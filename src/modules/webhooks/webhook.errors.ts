import { DomainError } from '../../core/errors';

export type WebhookErrorCode = 'UNIPILE_UNAVAILABLE';

export class WebhookError extends DomainError {
  constructor(code: WebhookErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
