// Unipile's error envelope and the bodies the sandbox answers with. Titles and details follow the
// bodies observed from the real API where known (see shared/reference/unipile-api.md §1.2).

export type UnipileErrorBodyOut = { status: number; type: string; title: string; detail?: string };

export class SandboxHttpError extends Error {
  constructor(readonly body: UnipileErrorBodyOut) {
    super(body.title);
  }
}

const make = (status: number, type: string, title: string, detail?: string) =>
  new SandboxHttpError({ status, type: `errors/${type}`, title, ...(detail ? { detail } : {}) });

export const sandboxErrors = {
  missingCredentials: () => make(401, 'missing_credentials', 'Missing credentials'),
  disconnectedAccount: () =>
    make(401, 'disconnected_account', 'Disconnected account', 'The account appears to be disconnected from the provider service.'),
  invalidAccount: (accountId: string) =>
    make(422, 'invalid_account', 'Invalid account', `The account ${accountId} does not exist or does not belong to you.`),
  accountMismatch: () => make(403, 'account_mismatch', 'Account mismatch', 'The resource does not belong to the given account.'),
  notFound: (what: string) => make(404, 'resource_not_found', 'Resource not found.', `${what} was not found.`),
  routeNotFound: (method: string, url: string) => make(404, 'resource_not_found', 'Resource not found.', `Cannot ${method} ${url}`),
  invalidParameters: (detail: string) => make(400, 'invalid_parameters', 'Invalid parameters', detail),
  missingParameters: (detail: string) => make(400, 'missing_parameters', 'Missing parameters', detail),
  tooManyCharacters: () => make(400, 'too_many_characters', 'Too many characters', 'The provided content exceeds the character limit.'),
  invalidRecipient: () =>
    make(422, 'invalid_recipient', 'Recipient cannot be reached', 'Make sure that the recipient ID is valid and that the corresponding profile is not locked.'),
  noConnectionWithRecipient: () =>
    make(422, 'no_connection_with_recipient', 'Recipient cannot be reached', 'The recipient appears not to be first degree connection.'),
  notAllowedInmail: () => make(422, 'not_allowed_inmail', 'InMail not allowed', 'The recipient does not accept InMail from this account.'),
  cannotInviteAttendee: () => make(422, 'cannot_invite_attendee', 'Cannot invite attendee', 'The recipient is already a first degree connection.'),
  alreadyInvitedRecently: () => make(422, 'already_invited_recently', 'Should delay new invitation to this recipient'),
  cannotResendYet: () => make(422, 'cannot_resend_yet', 'Cannot resend yet', 'You have reached a temporary provider limit.'),
  limitExceeded: () => make(422, 'limit_exceeded', 'Limit exceeded', 'You have reached the weekly invitation limit of the provider.'),
  tooManyRequests: () =>
    make(429, 'too_many_requests', 'Too many requests', 'The provider cannot accept any more requests at the moment. Please try again later.'),
  unexpected: () => make(500, 'unexpected_error', 'Unexpected error', 'An unexpected error occurred.'),
  serviceUnavailable: () => make(503, 'service_unavailable', 'Service unavailable', 'The service is temporarily unavailable.'),
};
