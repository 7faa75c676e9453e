import type { DataSource } from 'typeorm';
import { AccountStatus } from '../../src/modules/accounts/linkedin-account.entity';
import { WebhookAccountsRepository } from '../../src/modules/webhooks/webhook-accounts.repository';
import { LinkAccountDocument, type UpdateAccountInput, UpdateAccountDocument } from '../graphql/generated';
import { gqlOk } from '../support/graphql-client';
import type { TestApp } from '../support/test-app';

/** Links a fresh sandbox LinkedIn account through the API, as an operator would. */
export async function linkSandboxAccount(t: TestApp, token: string, input: { displayName?: string } = {}) {
  const remote = t.app.sandbox!.createAccount();
  const { linkAccount } = await gqlOk(t.graphqlUrl, LinkAccountDocument, { input: { unipileAccountId: remote.id, ...input } }, token);
  return linkAccount;
}

/** Changes an account's settings or status through the API, as an operator would (AccountService.update). */
export async function updateAccount(t: TestApp, token: string, id: string, input: UpdateAccountInput) {
  const { updateAccount } = await gqlOk(t.graphqlUrl, UpdateAccountDocument, { id, input }, token);
  return updateAccount;
}

/** An operator paused the account. */
export const pauseAccount = (t: TestApp, token: string, id: string) => updateAccount(t, token, id, { status: 'PAUSED' });

/** An operator resumed the (paused) account. */
export const resumeAccount = (t: TestApp, token: string, id: string) => updateAccount(t, token, id, { status: 'ACTIVE' });

/** Unipile reported the account broken, as webhook processing records it (DISCONNECTED, with why). */
export async function markAccountDisconnected(ds: DataSource, accountId: string, reason: string): Promise<void> {
  await new WebhookAccountsRepository(ds.manager).setStatus(accountId, AccountStatus.DISCONNECTED, reason);
}
