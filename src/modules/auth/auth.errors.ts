import { DomainError } from '../../core/errors';

export type AuthErrorCode = 'INVALID_CREDENTIALS' | 'EMAIL_TAKEN';

export class AuthError extends DomainError {
  constructor(code: AuthErrorCode, message: string) {
    super(code, message);
  }
}

export const invalidCredentials = () => new AuthError('INVALID_CREDENTIALS', 'Email or password is incorrect');
export const emailTaken = (email: string) => new AuthError('EMAIL_TAKEN', `A user with email ${email} already exists`);
