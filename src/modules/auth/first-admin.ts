import { randomBytes } from 'node:crypto';
import type { Logger } from '../../core/logger';
import type { AuthService } from './auth.service';

export const DEFAULT_ADMIN_EMAIL = 'admin@example.com';

/**
 * On an empty database, creates the first workspace and its admin, the instance operator: from
 * ADMIN_EMAIL/ADMIN_PASSWORD when set, otherwise with a generated password printed once to the console.
 */
export async function ensureFirstAdmin(
  auth: AuthService,
  configured: { email: string; password: string } | undefined,
  log: Logger,
  print: (text: string) => void = (text) => process.stdout.write(text),
): Promise<void> {
  const credentials = configured ?? { email: DEFAULT_ADMIN_EMAIL, password: randomBytes(15).toString('base64url') };
  const admin = await auth.bootstrapAdmin(credentials);
  if (!admin) return;
  log.info({ email: admin.email, workspaceId: admin.workspaceId }, 'created the first workspace and its admin (the instance operator)');
  if (!configured) {
    print(
      [
        '',
        '  First start: an admin (the instance operator) was created. This password is shown only once.',
        `    email:    ${credentials.email}`,
        `    password: ${credentials.password}`,
        '  Sign in at /graphql (GraphiQL) or with the `login` mutation.',
        '',
        '',
      ].join('\n'),
    );
  }
}
