import { DomainError } from '../../src/core/errors';
import { classifyUnipileFailure, UnipileError, unipileHttpError } from '../../src/modules/unipile/unipile.errors';

describe(classifyUnipileFailure.name, () => {
  it.each([
    [429, 'errors/too_many_requests', 'RATE_LIMITED'],
    [429, undefined, 'RATE_LIMITED'],
    [422, 'errors/limit_exceeded', 'RATE_LIMITED'],
    [422, 'errors/cannot_resend_yet', 'RATE_LIMITED'],
    [422, 'errors/cannot_resend_within_24hrs', 'RATE_LIMITED'],
    [422, 'errors/already_invited_recently', 'ALREADY_INVITED'],
    [500, 'errors/provider_error', 'TEMPORARY'],
    [503, 'errors/no_client_session', 'TEMPORARY'],
    [504, undefined, 'TEMPORARY'],
    [422, 'errors/provider_unreachable', 'TEMPORARY'],
    [401, 'errors/disconnected_account', 'ACCOUNT_DISCONNECTED'],
    [401, 'errors/missing_credentials', 'ACCOUNT_DISCONNECTED'],
    [401, 'errors/invalid_credentials', 'ACCOUNT_DISCONNECTED'],
    [422, 'errors/invalid_account', 'ACCOUNT_DISCONNECTED'],
    [403, 'errors/account_restricted', 'ACCOUNT_RESTRICTED'],
    [403, 'errors/feature_not_subscribed', 'ACCOUNT_RESTRICTED'],
    [422, 'errors/invalid_recipient', 'INVALID_RECIPIENT'],
    [422, 'errors/no_connection_with_recipient', 'INVALID_RECIPIENT'],
    [422, 'errors/cannot_invite_attendee', 'INVALID_RECIPIENT'],
    [422, 'errors/already_connected', 'INVALID_RECIPIENT'],
    [422, 'errors/not_allowed_inmail', 'INVALID_RECIPIENT'],
    [404, 'errors/resource_not_found', 'NOT_FOUND'],
    [400, 'errors/too_many_characters', 'BAD_REQUEST'],
    [415, 'errors/unsupported_media_type', 'BAD_REQUEST'],
    [422, 'errors/insufficient_credits', 'BAD_REQUEST'],
    [501, 'errors/feature_not_implemented', 'BAD_REQUEST'],
  ] as const)('should map %i %s to %s', (status, type, code) => {
    expect(classifyUnipileFailure(status, type)).toBe(code);
  });
});

describe(UnipileError.name, () => {
  it('should be a DomainError keeping the Unipile type, status, details and cause', () => {
    const cause = new Error('socket hang up');
    const error = unipileHttpError('sendInvitation', 422, { type: 'errors/invalid_recipient', title: 'Recipient cannot be reached', detail: 'locked' }, cause);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'INVALID_RECIPIENT', status: 422, type: 'errors/invalid_recipient', retryable: false, cause });
    expect(error.details).toEqual({ operation: 'sendInvitation', status: 422, type: 'errors/invalid_recipient', title: 'Recipient cannot be reached', detail: 'locked' });
    expect(error.message).toBe('Unipile sendInvitation failed: Recipient cannot be reached');
    expect(error.name).toBe('UnipileError');
  });
});
