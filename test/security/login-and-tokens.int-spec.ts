import { createHash } from 'node:crypto';
import { VirtualClock } from '../../src/core/clock';
import { Role } from '../../src/core/graphql/viewer';
import { FACTORY_PASSWORD, clearLoginThrottle, createUser } from '../factories/user.factory';
import { CreateUserDocument, LoginDocument, MeDocument, RevokeAllTokensDocument } from '../graphql/generated';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { loginToken } from '../support/session';
import { TEST_ADMIN, type TestApp, startTestApp } from '../support/test-app';

describe('login throttling and lock-out', () => {
  let t: TestApp;
  const clock = new VirtualClock('2026-03-02T10:00:00.000Z');
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_IP_MAX_FAILURES: '10', LOGIN_LOCKOUT: '15m' }, { clock });
  });
  afterAll(() => t.stop());
  beforeEach(() => clearLoginThrottle(t.app.dataSource));

  it('should lock an email after LOGIN_MAX_FAILURES failures, refuse even the right password, and reopen after the lock-out', async () => {
    const user = await createUser(t.app.dataSource);
    for (let i = 0; i < 3; i++) {
      expect(errorCode(await gql(t.graphqlUrl, LoginDocument, { email: user.email, password: 'wrong-password-123' }))).toBe('INVALID_CREDENTIALS');
    }
    const locked = await gql(t.graphqlUrl, LoginDocument, { email: user.email.toUpperCase(), password: FACTORY_PASSWORD });
    expect(locked.errors?.[0].extensions).toEqual({ code: 'ACCOUNT_LOCKED', retryAfterSeconds: 900 });
    expect(locked.data).toBeNull();

    clock.set(new Date(clock.now().getTime() + 14 * 60_000));
    expect(errorCode(await gql(t.graphqlUrl, LoginDocument, { email: user.email, password: FACTORY_PASSWORD }))).toBe('ACCOUNT_LOCKED');
    clock.set(new Date(clock.now().getTime() + 61_000));
    await gqlOk(t.graphqlUrl, LoginDocument, { email: user.email, password: FACTORY_PASSWORD });
  });

  it('should check at most LOGIN_MAX_FAILURES passwords of 30 parallel wrong attempts on one email, and then lock it', async () => {
    const user = await createUser(t.app.dataSource);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => gql(t.graphqlUrl, LoginDocument, { email: user.email, password: 'wrong-password-123' })),
    );
    const codes = answers.map(errorCode);
    // Only a checked password can be found wrong: the other 27 were refused before any check.
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(3);
    expect(codes.filter((c) => c === 'ACCOUNT_LOCKED')).toHaveLength(27);
    expect(errorCode(await gql(t.graphqlUrl, LoginDocument, { email: user.email, password: FACTORY_PASSWORD }))).toBe('ACCOUNT_LOCKED');
  });

  it('should never lock an email for right passwords sent in parallel: those past the checks in progress retry a second later', async () => {
    const user = await createUser(t.app.dataSource);
    const answers = await Promise.all(Array.from({ length: 10 }, () => gql(t.graphqlUrl, LoginDocument, { email: user.email, password: FACTORY_PASSWORD })));
    const signedIn = answers.filter((a) => a.data?.login.token);
    const refused = answers.filter((a) => a.errors);
    expect(signedIn.length + refused.length).toBe(10);
    expect(signedIn.length).toBeGreaterThanOrEqual(3); // LOGIN_MAX_FAILURES checks at once
    for (const answer of refused) expect(answer.errors?.[0].extensions).toEqual({ code: 'ACCOUNT_LOCKED', retryAfterSeconds: 1 });
    // No failure was counted: the email is not locked.
    await gqlOk(t.graphqlUrl, LoginDocument, { email: user.email, password: FACTORY_PASSWORD });
    const key = `email:${createHash('sha256').update(user.email.toLowerCase()).digest('hex')}`;
    const [row] = await t.app.dataSource.query(`SELECT failures, locked_until, checking FROM login_throttle WHERE key = $1`, [key]);
    expect(row).toEqual({ failures: 0, locked_until: null, checking: 0 });
  });

  it('should not count a right password against the client address', async () => {
    const user = await createUser(t.app.dataSource);
    for (let i = 0; i < 11; i++) await gqlOk(t.graphqlUrl, LoginDocument, { email: user.email, password: FACTORY_PASSWORD });
    const [ip] = await t.app.dataSource.query(`SELECT failures FROM login_throttle WHERE key = 'ip:127.0.0.1'`);
    expect(ip?.failures ?? 0).toBe(0);
  });

  it('should lock unknown emails the same way, so locking reveals nothing about which emails exist', async () => {
    for (let i = 0; i < 3; i++) await gql(t.graphqlUrl, LoginDocument, { email: 'ghost@test.example', password: 'wrong-password-123' });
    expect(errorCode(await gql(t.graphqlUrl, LoginDocument, { email: 'ghost@test.example', password: 'x' }))).toBe('ACCOUNT_LOCKED');
  });

  it('should clear the email counter on success, so failures spread over time never lock a real user', async () => {
    const user = await createUser(t.app.dataSource);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) await gql(t.graphqlUrl, LoginDocument, { email: user.email, password: 'wrong-password-123' });
      await gqlOk(t.graphqlUrl, LoginDocument, { email: user.email, password: FACTORY_PASSWORD });
    }
  });

  it('should throttle one client address across many emails with TOO_MANY_ATTEMPTS', async () => {
    for (let i = 0; i < 10; i++) await gql(t.graphqlUrl, LoginDocument, { email: `spray${i}@test.example`, password: 'wrong-password-123' });
    const res = await gql(t.graphqlUrl, LoginDocument, { email: TEST_ADMIN.email, password: TEST_ADMIN.password });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: expect.any(Number) });
  });

  it('should keep the counters in Postgres, emails hashed, so every API instance agrees', async () => {
    await gql(t.graphqlUrl, LoginDocument, { email: 'someone@test.example', password: 'wrong-password-123' });
    const rows: Array<{ key: string; failures: number }> = await t.app.dataSource.query(`SELECT key, failures FROM login_throttle ORDER BY key`);
    expect(rows.map((r) => r.key)).toEqual([expect.stringMatching(/^email:[0-9a-f]{64}$/), 'ip:127.0.0.1']);
    expect(JSON.stringify(rows)).not.toContain('someone');
  });
});

describe('password policy and token revocation', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
  });
  afterAll(() => t.stop());

  it.each([
    ['a common password', 'Password1234'],
    ['one repeated character', 'aaaaaaaaaaaaaaaa'],
    ['a run', 'abcdefghijklmnop'],
    ['the email itself', 'new.person.here1'],
  ])('should refuse %s with WEAK_PASSWORD', async (_case, password) => {
    const res = await gql(t.graphqlUrl, CreateUserDocument, { input: { email: 'new.person.here@test.example', password } }, admin);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'WEAK_PASSWORD', field: 'password' });
  });

  it('should sign out every user of the workspace on revokeAllTokens, and no one elsewhere', async () => {
    const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, admin);
    const member = await createUser(t.app.dataSource, { workspaceId: me.workspaceId, role: Role.MEMBER });
    const memberToken = await loginToken(t.graphqlUrl, member.email);
    const outsider = await createUser(t.app.dataSource, { role: Role.ADMIN });
    const outsiderToken = await loginToken(t.graphqlUrl, outsider.email);

    const { revokeAllTokens } = await gqlOk(t.graphqlUrl, RevokeAllTokensDocument, {}, admin);

    expect(errorCode(await gql(t.graphqlUrl, MeDocument, {}, admin))).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(t.graphqlUrl, MeDocument, {}, memberToken))).toBe('UNAUTHENTICATED');
    await gqlOk(t.graphqlUrl, MeDocument, {}, revokeAllTokens.token);
    await gqlOk(t.graphqlUrl, MeDocument, {}, outsiderToken);
    // A new sign-in gets the new version.
    await gqlOk(t.graphqlUrl, MeDocument, {}, await loginToken(t.graphqlUrl, member.email));
    admin = revokeAllTokens.token;
  });

  it('should refuse revokeAllTokens to a member', async () => {
    const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, admin);
    const member = await createUser(t.app.dataSource, { workspaceId: me.workspaceId, role: Role.MEMBER });
    expect(errorCode(await gql(t.graphqlUrl, RevokeAllTokensDocument, {}, await loginToken(t.graphqlUrl, member.email)))).toBe('FORBIDDEN');
  });
});
