import { DomainError } from '../../core/errors';

export type NotificationErrorCode =
  /** The input does not fit the channel kind (an email channel without recipients …). */
  | 'INVALID_NOTIFICATION_CHANNEL'
  /** A Slack or webhook URL on a loopback, private, link-local … address (literal or resolved). */
  | 'FORBIDDEN_DESTINATION'
  /** That channel already has a rule for this event type and campaign. */
  | 'NOTIFICATION_RULE_EXISTS'
  /** A replay was asked while the delivery is being sent. */
  | 'DELIVERY_IN_PROGRESS';

export class NotificationError extends DomainError {
  constructor(code: NotificationErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

/** Thrown by the delivery job so that Agenda retries it with the configured backoff. */
export class DeliveryAttemptFailed extends Error {
  constructor(deliveryId: string, attempt: number, reason: string | null) {
    super(`notification delivery ${deliveryId} attempt ${attempt} failed: ${reason ?? 'unknown error'}`);
    this.name = 'DeliveryAttemptFailed';
  }
}
