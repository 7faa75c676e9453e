import { DomainError } from '../../core/errors';

/**
 * What the engine acts on. RATE_LIMITED and TEMPORARY mean "try again later"; the others mean
 * "this will not work by retrying": fix the account, skip the recipient, or fix the request.
 * UNEXPECTED_RESPONSE is a 2xx whose body we could not read: the call may have taken effect.
 */
export type UnipileErrorCode =
  | 'RATE_LIMITED'
  | 'ALREADY_INVITED'
  | 'TEMPORARY'
  | 'ACCOUNT_DISCONNECTED'
  | 'ACCOUNT_RESTRICTED'
  | 'INVALID_RECIPIENT'
  | 'NOT_FOUND'
  | 'BAD_REQUEST'
  | 'UNEXPECTED_RESPONSE';

export type UnipileErrorDetails = {
  /** The operation that failed, e.g. `sendInvitation`. */
  operation: string;
  /** HTTP status when Unipile answered; absent for network errors and timeouts. */
  status?: number;
  /** Unipile's error `type`, e.g. `errors/already_invited_recently`. */
  type?: string;
  title?: string;
  detail?: string;
};

export class UnipileError extends DomainError {
  declare readonly code: UnipileErrorCode;
  readonly status?: number;
  readonly type?: string;

  constructor(code: UnipileErrorCode, message: string, details: UnipileErrorDetails, cause?: unknown) {
    super(code, message, details);
    this.status = details.status;
    this.type = details.type;
    if (cause !== undefined) this.cause = cause;
  }

  /** True when the same call may succeed later without any change (the caller decides when). */
  get retryable(): boolean {
    return this.code === 'RATE_LIMITED' || this.code === 'TEMPORARY';
  }
}

/** Unipile's RFC-7807-like error envelope; every field optional because we map whatever arrives. */
export type UnipileErrorBody = { status?: number; type?: string; title?: string; detail?: string };

const RATE_LIMIT_TYPES = new Set([
  'errors/too_many_requests',
  'errors/limit_exceeded',
  'errors/cannot_resend_yet',
  'errors/cannot_resend_within_24hrs',
]);

// Per-recipient refusals: the account is fine, this person cannot be reached this way.
const RECIPIENT_TYPES = new Set([
  'errors/invalid_recipient',
  'errors/no_connection_with_recipient',
  'errors/blocked_recipient',
  'errors/user_unreachable',
  'errors/cannot_invite_attendee',
  'errors/already_connected',
  'errors/not_allowed_inmail',
  'errors/recipient_rejected',
]);

// 422s that describe a provider hiccup rather than a bad request.
const TRANSIENT_422_TYPES = new Set(['errors/provider_unreachable', 'errors/realtime_client_not_initialized']);

/** Maps an HTTP error answer from Unipile to the code the engine acts on. */
export function classifyUnipileFailure(status: number, type: string | undefined): UnipileErrorCode {
  if (status === 429 || (type && RATE_LIMIT_TYPES.has(type))) return 'RATE_LIMITED';
  if (type === 'errors/already_invited_recently') return 'ALREADY_INVITED';
  if (status === 501) return 'BAD_REQUEST'; // feature_not_implemented: retrying will not help
  if (status >= 500) return 'TEMPORARY';
  if (status === 401) return 'ACCOUNT_DISCONNECTED';
  if (status === 403) return 'ACCOUNT_RESTRICTED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 422) {
    if (type && RECIPIENT_TYPES.has(type)) return 'INVALID_RECIPIENT';
    if (type && TRANSIENT_422_TYPES.has(type)) return 'TEMPORARY';
    // The account id is not one of ours (deleted or never linked): the sender is unusable.
    if (type === 'errors/invalid_account') return 'ACCOUNT_DISCONNECTED';
  }
  return 'BAD_REQUEST';
}

export function unipileHttpError(operation: string, status: number, body: UnipileErrorBody, cause?: unknown): UnipileError {
  const code = classifyUnipileFailure(status, body.type);
  const what = body.title ?? `HTTP ${status}`;
  return new UnipileError(
    code,
    `Unipile ${operation} failed: ${what}`,
    { operation, status, type: body.type, title: body.title, detail: body.detail },
    cause,
  );
}

export function unipileNetworkError(operation: string, reason: 'timeout' | 'network', cause: unknown): UnipileError {
  const message = reason === 'timeout' ? `Unipile ${operation} timed out` : `Unipile ${operation} could not reach Unipile`;
  return new UnipileError('TEMPORARY', message, { operation }, cause);
}
