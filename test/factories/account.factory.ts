import { LinkAccountDocument } from '../graphql/generated';
import { gqlOk } from '../support/graphql-client';
import type { TestApp } from '../support/test-app';

/** Links a fresh sandbox LinkedIn account through the API, as an operator would. */
export async function linkSandboxAccount(t: TestApp, token: string, input: { displayName?: string } = {}) {
  const remote = t.app.sandbox!.createAccount();
  const { linkAccount } = await gqlOk(t.graphqlUrl, LinkAccountDocument, { input: { unipileAccountId: remote.id, ...input } }, token);
  return linkAccount;
}
