import { print } from 'graphql';
import { Role } from '../../src/core/graphql/viewer';
import { FACTORY_PASSWORD, revokeUserTokensSilently } from '../factories/user.factory';
import {
  ChangePasswordDocument,
  DeactivateUserDocument,
  DeleteUserDocument,
  HeartbeatDocument,
  RevokeAllTokensDocument,
  SetUserRoleDocument,
} from '../graphql/generated';
import { gqlOk, wsClient } from '../support/graphql-client';
import { type TestApp, startAnotherInstance, startTestApp } from '../support/test-app';
import { type Session, adminSession, newSession } from '../support/workspace';

type Closed = { code: number; reason: string };

/** A graphql-ws connection running a 1 s heartbeat subscription: it works while ticks arrive. */
type LiveSocket = { closed: Promise<Closed>; tick(): Promise<void>; subscribeAgain(): void; dispose(): Promise<void> };

function liveSocket(url: string, token: string): LiveSocket {
  const { client, closed } = wsClient(url, { Authorization: `Bearer ${token}` });
  const waiting: Array<() => void> = [];
  const subscribe = () =>
    client.subscribe(
      { query: print(HeartbeatDocument), variables: { intervalSeconds: 1 } },
      { next: () => waiting.splice(0).forEach((wake) => wake()), error: () => undefined, complete: () => undefined },
    );
  subscribe();
  return {
    closed,
    tick: () => new Promise((r) => waiting.push(r)),
    subscribeAgain: subscribe,
    dispose: async () => {
      await client.dispose();
    },
  };
}

/** The close of a socket, or a failure naming it if it stays open (the server must close it by itself). */
function closeOf(socket: LiveSocket, what: string, timeoutMs = 15_000): Promise<Closed> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} stayed open`)), timeoutMs);
  });
  const closed = socket.closed.then((e) => ({ code: e.code, reason: e.reason }));
  return Promise.race([closed, timeout]).finally(() => clearTimeout(timer));
}

const SESSION_ENDED = { code: 4403, reason: 'Session revoked' };

// Revocations reach every API instance through Postgres (live_event + NOTIFY); each closes the
// sockets of the revoked tokens by itself. Instance B here shares only the database with A.
describe('WebSockets of a revoked session are closed on every instance', () => {
  let a: TestApp;
  let b: Awaited<ReturnType<typeof startAnotherInstance>>;
  let admin: Session;
  const open: LiveSocket[] = [];
  const socket = (url: string, token: string) => {
    const s = liveSocket(url, token);
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    a = await startTestApp();
    b = await startAnotherInstance(a);
    admin = await adminSession(a);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.dispose()));
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
  });

  it("should close every socket of the workspace on both instances at revokeAllTokens, and no other workspace's", async () => {
    const member = await newSession(a, { role: Role.MEMBER, workspaceId: admin.workspaceId });
    const outsider = await newSession(a, { role: Role.MEMBER });
    const onA = socket(a.wsUrl, member.token);
    const onB = socket(b.wsUrl, member.token);
    const otherWorkspace = socket(b.wsUrl, outsider.token);
    await Promise.all([onA.tick(), onB.tick(), otherWorkspace.tick()]);

    const { revokeAllTokens } = await gqlOk(a.graphqlUrl, RevokeAllTokensDocument, {}, admin.token);

    expect(await closeOf(onA, 'the member socket on A')).toEqual(SESSION_ENDED);
    expect(await closeOf(onB, 'the member socket on B')).toEqual(SESSION_ENDED);
    await otherWorkspace.tick();
    // The revoked token cannot come back; the fresh one works on either instance.
    expect((await closeOf(socket(b.wsUrl, member.token), 'a socket of the revoked token')).code).toBe(4403);
    await socket(b.wsUrl, revokeAllTokens.token).tick();
    admin = { ...admin, token: revokeAllTokens.token };
  });

  it.each([
    ['deactivateUser', (userId: string) => gqlOk(a.graphqlUrl, DeactivateUserDocument, { userId }, admin.token)],
    ['deleteUser', (userId: string) => gqlOk(a.graphqlUrl, DeleteUserDocument, { userId }, admin.token)],
    ['setUserRole', (userId: string) => gqlOk(a.graphqlUrl, SetUserRoleDocument, { userId, role: Role.ADMIN }, admin.token)],
  ])("should close that user's sockets on both instances at %s, and no one else's", async (_op, change) => {
    const target = await newSession(a, { role: Role.MEMBER, workspaceId: admin.workspaceId });
    const colleague = await newSession(a, { role: Role.MEMBER, workspaceId: admin.workspaceId });
    const onA = socket(a.wsUrl, target.token);
    const onB = socket(b.wsUrl, target.token);
    const bystander = socket(b.wsUrl, colleague.token);
    await Promise.all([onA.tick(), onB.tick(), bystander.tick()]);

    await change(target.userId);

    expect(await closeOf(onA, "the user's socket on A")).toEqual(SESSION_ENDED);
    expect(await closeOf(onB, "the user's socket on B")).toEqual(SESSION_ENDED);
    await bystander.tick();
    await socket(a.wsUrl, admin.token).tick();
  });

  it("should close the user's other sockets at changePassword, while the fresh token connects", async () => {
    const user = await newSession(a, { role: Role.MEMBER, workspaceId: admin.workspaceId });
    const other = socket(b.wsUrl, user.token);
    await other.tick();

    const { changePassword } = await gqlOk(
      a.graphqlUrl,
      ChangePasswordDocument,
      { currentPassword: FACTORY_PASSWORD, newPassword: 'a-brand-new-passphrase-77' },
      user.token,
    );

    expect(await closeOf(other, 'the socket of the old session')).toEqual(SESSION_ENDED);
    await socket(b.wsUrl, changePassword.token).tick();
  });

  it('should re-check the token on each new operation over an open socket, and close it once the token is no longer valid', async () => {
    const user = await newSession(a, { role: Role.MEMBER, workspaceId: admin.workspaceId });
    const s = socket(a.wsUrl, user.token);
    await s.tick();
    // Revoked in the database alone, with no announcement: only the re-check can notice.
    await revokeUserTokensSilently(a.app.dataSource, user.userId);
    await s.tick();
    s.subscribeAgain();
    expect(await closeOf(s, 'the socket whose new operation carried a revoked token')).toEqual(SESSION_ENDED);
  });
});
