import { DomainError } from '../../core/errors';

export type AuthErrorCode = 'INVALID_CREDENTIALS' | 'EMAIL_TAKEN' | 'ACCOUNT_LOCKED' | 'TOO_MANY_ATTEMPTS' | 'WEAK_PASSWORD';

export class AuthError extends DomainError {
  constructor(code: AuthErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

export const invalidCredentials = () => new AuthError('INVALID_CREDENTIALS', 'Email or password is incorrect');
export const emailTaken = (email: string) => new AuthError('EMAIL_TAKEN', `A user with email ${email} already exists`);
export const accountLocked = (retryAfterSeconds: number) =>
  new AuthError('ACCOUNT_LOCKED', `Too many failed sign-ins for this account; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
export const tooManyAttempts = (retryAfterSeconds: number) =>
  new AuthError('TOO_MANY_ATTEMPTS', `Too many failed sign-ins from this address; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
export const weakPassword = (why: string) => new AuthError('WEAK_PASSWORD', `Password ${why}`, { field: 'password' });
