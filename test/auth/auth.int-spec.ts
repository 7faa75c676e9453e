import jwt from 'jsonwebtoken';
import {
  CreateUserDocument,
  CreateWorkspaceDocument,
  LoginDocument,
  MeDocument,
  UsersDocument,
} from '../graphql/generated';
import { createUser } from '../factories/user.factory';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { loginToken } from '../support/session';
import { TEST_ADMIN, TEST_JWT_SECRET, type TestApp, startTestApp } from '../support/test-app';
import { Role } from '../../src/core/graphql/viewer';

describe('authentication and tenancy', () => {
  let t: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestApp();
    adminToken = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
  });
  afterAll(() => t.stop());

  describe('login', () => {
    it('should return a token that authenticates `me` when the credentials are right', async () => {
      const { login } = await gqlOk(t.graphqlUrl, LoginDocument, { email: 'ADMIN@test.example ', password: TEST_ADMIN.password });
      expect(login.user).toMatchObject({ email: TEST_ADMIN.email, role: 'ADMIN' });
      expect(new Date(login.expiresAt).getTime()).toBeGreaterThan(Date.now() + 11 * 3600_000);
      const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, login.token);
      expect(me.email).toBe(TEST_ADMIN.email);
      expect(me.lastLoginAt).not.toBeNull();
    });

    it.each([
      ['a wrong password', TEST_ADMIN.email, 'not-the-password'],
      ['an unknown email', 'nobody@test.example', TEST_ADMIN.password],
    ])('should answer INVALID_CREDENTIALS for %s', async (_case, email, password) => {
      const res = await gql(t.graphqlUrl, LoginDocument, { email, password });
      expect(errorCode(res)).toBe('INVALID_CREDENTIALS');
      expect(res.data).toBeNull();
    });
  });

  describe('token checks', () => {
    const claims = () => ({ wid: 'x', role: 'ADMIN', email: TEST_ADMIN.email });

    async function meWith(token: string) {
      return errorCode(await gql(t.graphqlUrl, MeDocument, {}, token));
    }

    it('should reject a request without a token', async () => {
      expect(errorCode(await gql(t.graphqlUrl, MeDocument, {}))).toBe('UNAUTHENTICATED');
    });

    it('should reject an expired token', async () => {
      const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, adminToken);
      const expired = jwt.sign({ ...claims(), wid: me.workspaceId }, TEST_JWT_SECRET, {
        subject: me.id,
        issuer: 'linkedin-outreach',
        expiresIn: -10,
      });
      expect(await meWith(expired)).toBe('UNAUTHENTICATED');
    });

    it('should reject a token signed with another secret', async () => {
      const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, adminToken);
      const forged = jwt.sign({ ...claims(), wid: me.workspaceId }, 'another-secret-another-secret-another', {
        subject: me.id,
        issuer: 'linkedin-outreach',
        expiresIn: '1h',
      });
      expect(await meWith(forged)).toBe('UNAUTHENTICATED');
    });

    it('should reject an unsigned alg:none token', async () => {
      const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, adminToken);
      const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const none = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
        ...claims(),
        wid: me.workspaceId,
        sub: me.id,
        iss: 'linkedin-outreach',
        iat: now,
        exp: now + 3600,
      })}.`;
      expect(await meWith(none)).toBe('UNAUTHENTICATED');
    });

    it('should reject a token from another issuer', async () => {
      const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, adminToken);
      const other = jwt.sign({ ...claims(), wid: me.workspaceId }, TEST_JWT_SECRET, {
        subject: me.id,
        issuer: 'someone-else',
        expiresIn: '1h',
      });
      expect(await meWith(other)).toBe('UNAUTHENTICATED');
    });
  });

  describe('users', () => {
    it('should let an admin add a member who can then sign in', async () => {
      const { createUser: created } = await gqlOk(
        t.graphqlUrl,
        CreateUserDocument,
        { input: { email: 'Member.One@test.example', password: 'member-password-123' } },
        adminToken,
      );
      expect(created).toMatchObject({ email: 'member.one@test.example', role: 'MEMBER' });
      const memberToken = await loginToken(t.graphqlUrl, 'member.one@test.example', 'member-password-123');
      const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, memberToken);
      expect(me.id).toBe(created.id);
    });

    it('should refuse createUser to a member with FORBIDDEN and create nothing', async () => {
      const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, adminToken);
      const member = await createUser(t.app.dataSource, { workspaceId: me.workspaceId, role: Role.MEMBER });
      const memberToken = await loginToken(t.graphqlUrl, member.email);
      const res = await gql(
        t.graphqlUrl,
        CreateUserDocument,
        { input: { email: 'sneaky@test.example', password: 'sneaky-password-123' } },
        memberToken,
      );
      expect(errorCode(res)).toBe('FORBIDDEN');
      const { users } = await gqlOk(t.graphqlUrl, UsersDocument, {}, adminToken);
      expect(users.map((u) => u.email)).not.toContain('sneaky@test.example');
    });

    it('should answer BAD_USER_INPUT naming the fields when the input is invalid', async () => {
      const res = await gql(t.graphqlUrl, CreateUserDocument, { input: { email: 'not-an-email', password: 'short' } }, adminToken);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      const fields = (res.errors?.[0]?.extensions?.fields as Array<{ field: string }>).map((f) => f.field).sort();
      expect(fields).toEqual(['email', 'password']);
    });

    it('should answer EMAIL_TAKEN for an email already in use, whatever its case', async () => {
      const res = await gql(
        t.graphqlUrl,
        CreateUserDocument,
        { input: { email: TEST_ADMIN.email.toUpperCase(), password: 'another-password-123' } },
        adminToken,
      );
      expect(errorCode(res)).toBe('EMAIL_TAKEN');
    });
  });

  describe('workspace isolation', () => {
    it("should never show one workspace's users to another workspace", async () => {
      const { createWorkspace } = await gqlOk(
        t.graphqlUrl,
        CreateWorkspaceDocument,
        { input: { name: 'Agency client B', adminEmail: 'b-admin@test.example', adminPassword: 'b-admin-password-1' } },
        adminToken,
      );
      const { me: adminA } = await gqlOk(t.graphqlUrl, MeDocument, {}, adminToken);
      expect(createWorkspace.admin.workspaceId).toBe(createWorkspace.workspace.id);
      expect(createWorkspace.workspace.id).not.toBe(adminA.workspaceId);

      const tokenB = await loginToken(t.graphqlUrl, 'b-admin@test.example', 'b-admin-password-1');
      await gqlOk(t.graphqlUrl, CreateUserDocument, { input: { email: 'b-member@test.example', password: 'b-member-password' } }, tokenB);

      const usersA = (await gqlOk(t.graphqlUrl, UsersDocument, {}, adminToken)).users;
      const usersB = (await gqlOk(t.graphqlUrl, UsersDocument, {}, tokenB)).users;
      expect(usersB.map((u) => u.email).sort()).toEqual(['b-admin@test.example', 'b-member@test.example']);
      expect(usersA.every((u) => u.workspaceId === adminA.workspaceId)).toBe(true);
      expect(usersA.map((u) => u.email)).not.toContain('b-member@test.example');
    });

    it("should reject a token whose workspace claim was changed to another workspace's", async () => {
      const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, adminToken);
      const other = await createUser(t.app.dataSource, { role: Role.ADMIN });
      const tampered = jwt.sign({ wid: other.workspaceId, role: 'ADMIN', email: me.email }, TEST_JWT_SECRET, {
        subject: me.id,
        issuer: 'linkedin-outreach',
        expiresIn: '1h',
      });
      expect(errorCode(await gql(t.graphqlUrl, UsersDocument, {}, tampered))).toBe('UNAUTHENTICATED');
    });
  });
});
