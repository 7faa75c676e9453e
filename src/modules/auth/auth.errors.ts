import { DomainError } from '../../core/errors';

export type AuthErrorCode =
  | 'INVALID_CREDENTIALS'
  | 'EMAIL_TAKEN'
  | 'EMAIL_UNAVAILABLE'
  | 'ACCOUNT_LOCKED'
  | 'TOO_MANY_ATTEMPTS'
  | 'WEAK_PASSWORD'
  | 'CANNOT_CHANGE_SELF'
  | 'LAST_ADMIN'
  | 'LAST_OPERATOR'
  | 'OPERATOR_MUST_BE_ADMIN'
  | 'USER_DEACTIVATED';

export class AuthError extends DomainError {
  constructor(code: AuthErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

export const invalidCredentials = () => new AuthError('INVALID_CREDENTIALS', 'Email or password is incorrect');
export const emailTaken = (email: string) => new AuthError('EMAIL_TAKEN', `A user with email ${email} already exists in your workspace`);
// Deliberately says nothing of why: the address may belong to a user of another workspace.
export const emailUnavailable = () =>
  new AuthError('EMAIL_UNAVAILABLE', 'This email address cannot be used for a new user; use another address', { field: 'email' });
export const accountLocked = (retryAfterSeconds: number) =>
  new AuthError('ACCOUNT_LOCKED', `Too many failed sign-ins for this account; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
export const tooManyAttempts = (retryAfterSeconds: number) =>
  new AuthError('TOO_MANY_ATTEMPTS', `Too many failed sign-ins from this address; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
export const weakPassword = (why: string) => new AuthError('WEAK_PASSWORD', `Password ${why}`, { field: 'password' });
export const cannotChangeSelf = () =>
  new AuthError('CANNOT_CHANGE_SELF', 'You cannot change your own role, operator status or activation, nor delete yourself; ask another admin');
export const lastAdmin = () => new AuthError('LAST_ADMIN', 'The workspace would be left without an active admin');
export const lastOperator = () => new AuthError('LAST_OPERATOR', 'The instance would be left without an active operator');
export const operatorMustBeAdmin = () =>
  new AuthError('OPERATOR_MUST_BE_ADMIN', 'An operator must be an ADMIN: make the user an ADMIN first, or remove operator first');
export const userDeactivated = (id: string) => new AuthError('USER_DEACTIVATED', `User ${id} is deactivated; reactivate it first`, { id });
