import { MeDocument } from '../graphql/generated';
import { createUser } from '../factories/user.factory';
import { gqlOk } from './graphql-client';
import { loginToken } from './session';
import { TEST_ADMIN, type TestApp } from './test-app';
import { Role } from '../../src/core/graphql/viewer';

export type Session = { token: string; workspaceId: string; userId: string };

/** The bootstrap admin's session in the default workspace. */
export async function adminSession(t: TestApp): Promise<Session> {
  const token = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
  const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, token);
  return { token, workspaceId: me.workspaceId, userId: me.id };
}

/** A signed-in user of a new workspace (or of the given one). */
export async function newSession(t: TestApp, attrs: { role?: Role; workspaceId?: string } = {}): Promise<Session> {
  const user = await createUser(t.app.dataSource, { role: attrs.role ?? Role.ADMIN, workspaceId: attrs.workspaceId });
  return { token: await loginToken(t.graphqlUrl, user.email), workspaceId: user.workspaceId, userId: user.id };
}
