import { Role } from '../../src/core/graphql/viewer';
import { FACTORY_PASSWORD, clearLoginThrottle, createUser } from '../factories/user.factory';
import {
  AuditLogDocument,
  ChangePasswordDocument,
  CreateUserDocument,
  CreateWorkspaceDocument,
  DeactivateUserDocument,
  DeleteUserDocument,
  LoginDocument,
  MeDocument,
  ReactivateUserDocument,
  SetOperatorDocument,
  SetUserRoleDocument,
  UsersDocument,
} from '../graphql/generated';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { loginToken } from '../support/session';
import { TEST_ADMIN, type TestApp, startTestApp } from '../support/test-app';
import { type Session, adminSession, newSession } from '../support/workspace';

describe('createUser does not reveal the users of other workspaces', () => {
  let t: TestApp;
  let operator: Session;
  let tenantToken: string;

  beforeAll(async () => {
    t = await startTestApp();
    operator = await adminSession(t);
    await gqlOk(
      t.graphqlUrl,
      CreateWorkspaceDocument,
      { input: { name: 'Tenant B', adminEmail: 'admin@tenant-b.example', adminPassword: 'tenant-b-passphrase' } },
      operator.token,
    );
    tenantToken = await loginToken(t.graphqlUrl, 'admin@tenant-b.example', 'tenant-b-passphrase');
  });
  afterAll(() => t.stop());

  it("should answer EMAIL_UNAVAILABLE, saying nothing of who has it, for an email of another workspace's user", async () => {
    const res = await gql(t.graphqlUrl, CreateUserDocument, { input: { email: TEST_ADMIN.email.toUpperCase(), password: 'probe-passphrase-123' } }, tenantToken);
    expect(res.errors?.[0]).toMatchObject({
      message: 'This email address cannot be used for a new user; use another address',
      extensions: { code: 'EMAIL_UNAVAILABLE', field: 'email' },
    });
    expect(JSON.stringify(res)).not.toMatch(/exist|taken|workspace|admin@test/i);
    // Nothing was created, and the operator's account is untouched.
    const { users } = await gqlOk(t.graphqlUrl, UsersDocument, {}, tenantToken);
    expect(users.map((u) => u.email)).toEqual(['admin@tenant-b.example']);
    await gqlOk(t.graphqlUrl, MeDocument, {}, await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password));
  });

  it("should keep EMAIL_TAKEN for an email of the caller's own workspace, which the caller can see anyway", async () => {
    const res = await gql(t.graphqlUrl, CreateUserDocument, { input: { email: 'Admin@Tenant-B.example', password: 'probe-passphrase-123' } }, tenantToken);
    expect(errorCode(res)).toBe('EMAIL_TAKEN');
  });
});

describe('changing passwords and managing users', () => {
  let t: TestApp;
  let admin: Session;

  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '3' });
    admin = await adminSession(t);
  });
  afterAll(() => t.stop());
  beforeEach(() => clearLoginThrottle(t.app.dataSource));

  const member = () => newSession(t, { role: Role.MEMBER, workspaceId: admin.workspaceId });
  const emailOf = async (userId: string): Promise<string> => (await t.app.dataSource.query(`SELECT email FROM app_user WHERE id = $1`, [userId]))[0].email;

  it('should change the password given the current one, end the other sessions, and hand back a fresh token', async () => {
    const user = await member();
    const otherSession = await loginToken(t.graphqlUrl, await emailOf(user.userId));
    const { changePassword } = await gqlOk(
      t.graphqlUrl,
      ChangePasswordDocument,
      { currentPassword: FACTORY_PASSWORD, newPassword: 'my-new-long-passphrase' },
      user.token,
    );
    expect(errorCode(await gql(t.graphqlUrl, MeDocument, {}, otherSession))).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(t.graphqlUrl, MeDocument, {}, user.token))).toBe('UNAUTHENTICATED');
    await gqlOk(t.graphqlUrl, MeDocument, {}, changePassword.token);
    const email = await emailOf(user.userId);
    expect(errorCode(await gql(t.graphqlUrl, LoginDocument, { email, password: FACTORY_PASSWORD }))).toBe('INVALID_CREDENTIALS');
    await loginToken(t.graphqlUrl, email, 'my-new-long-passphrase');
  });

  it('should refuse a wrong current password (counted like a sign-in, so a stolen token cannot guess it) and a weak new one', async () => {
    const user = await member();
    const attempt = (currentPassword: string, newPassword = 'my-new-long-passphrase') =>
      gql(t.graphqlUrl, ChangePasswordDocument, { currentPassword, newPassword }, user.token);
    expect(errorCode(await attempt(FACTORY_PASSWORD, 'Password1234'))).toBe('WEAK_PASSWORD');
    for (let i = 0; i < 3; i++) expect(errorCode(await attempt(`guess-number-${i}`))).toBe('INVALID_CREDENTIALS');
    expect(errorCode(await attempt(FACTORY_PASSWORD))).toBe('ACCOUNT_LOCKED');
    // Nothing changed: the old password still holds once the lock is lifted.
    await clearLoginThrottle(t.app.dataSource);
    await gqlOk(t.graphqlUrl, MeDocument, {}, user.token);
    await loginToken(t.graphqlUrl, await emailOf(user.userId));
  });

  it('should deactivate a user at once (no token, no sign-in even with the right password) and reactivate them', async () => {
    const user = await member();
    const email = await emailOf(user.userId);
    const { deactivateUser } = await gqlOk(t.graphqlUrl, DeactivateUserDocument, { userId: user.userId }, admin.token);
    expect(deactivateUser.deactivatedAt).not.toBeNull();
    expect(errorCode(await gql(t.graphqlUrl, MeDocument, {}, user.token))).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(t.graphqlUrl, LoginDocument, { email, password: FACTORY_PASSWORD }))).toBe('INVALID_CREDENTIALS');
    const listed = (await gqlOk(t.graphqlUrl, UsersDocument, {}, admin.token)).users.find((u) => u.id === user.userId);
    expect(listed?.deactivatedAt).not.toBeNull();

    await gqlOk(t.graphqlUrl, ReactivateUserDocument, { userId: user.userId }, admin.token);
    expect(errorCode(await gql(t.graphqlUrl, MeDocument, {}, user.token))).toBe('UNAUTHENTICATED'); // old tokens stay revoked
    await gqlOk(t.graphqlUrl, MeDocument, {}, await loginToken(t.graphqlUrl, email));
  });

  it('should delete a user at once and keep the history consistent: audit entries keep the email, the address can be used again', async () => {
    const other = await newSession(t, { role: Role.ADMIN, workspaceId: admin.workspaceId });
    const email = await emailOf(other.userId);
    await gqlOk(t.graphqlUrl, AuditLogDocument, { first: 1 }, other.token); // an audited call of theirs
    expect((await gqlOk(t.graphqlUrl, DeleteUserDocument, { userId: other.userId }, admin.token)).deleteUser).toBe(other.userId);

    expect(errorCode(await gql(t.graphqlUrl, MeDocument, {}, other.token))).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(t.graphqlUrl, LoginDocument, { email, password: FACTORY_PASSWORD }))).toBe('INVALID_CREDENTIALS');
    const entries = await t.app.dataSource.query(`SELECT user_id, user_email, action FROM audit_log WHERE user_email = $1`, [email]);
    expect(entries).toEqual([{ user_id: null, user_email: email, action: 'auditLog' }]);
    const [deletion] = (await gqlOk(t.graphqlUrl, AuditLogDocument, { first: 1 }, admin.token)).auditLog;
    expect(deletion).toMatchObject({ action: 'deleteUser', outcome: 'ok', target: { userId: other.userId } });
    const { createUser: again } = await gqlOk(t.graphqlUrl, CreateUserDocument, { input: { email, password: 'a-fresh-passphrase-1' } }, admin.token);
    expect(again.id).not.toBe(other.userId);
  });

  it('should refuse changes to oneself, to an operator by a plain admin, to another workspace and by a member', async () => {
    const colleague = await newSession(t, { role: Role.ADMIN, workspaceId: admin.workspaceId });
    const stranger = await createUser(t.app.dataSource, { role: Role.MEMBER });
    const target = await member();
    const cases: Array<[string, Promise<unknown>, string]> = [
      ['deactivate oneself', gql(t.graphqlUrl, DeactivateUserDocument, { userId: admin.userId }, admin.token), 'CANNOT_CHANGE_SELF'],
      ['delete oneself', gql(t.graphqlUrl, DeleteUserDocument, { userId: admin.userId }, admin.token), 'CANNOT_CHANGE_SELF'],
      ['demote oneself', gql(t.graphqlUrl, SetUserRoleDocument, { userId: admin.userId, role: Role.MEMBER }, admin.token), 'CANNOT_CHANGE_SELF'],
      ['deactivate the operator', gql(t.graphqlUrl, DeactivateUserDocument, { userId: admin.userId }, colleague.token), 'FORBIDDEN'],
      ['delete the operator', gql(t.graphqlUrl, DeleteUserDocument, { userId: admin.userId }, colleague.token), 'FORBIDDEN'],
      ['demote the operator', gql(t.graphqlUrl, SetUserRoleDocument, { userId: admin.userId, role: Role.MEMBER }, colleague.token), 'FORBIDDEN'],
      ['grant operator as an admin', gql(t.graphqlUrl, SetOperatorDocument, { userId: colleague.userId, operator: true }, colleague.token), 'FORBIDDEN'],
      ['deactivate in another workspace', gql(t.graphqlUrl, DeactivateUserDocument, { userId: stranger.id }, admin.token), 'NOT_FOUND'],
      ['delete in another workspace', gql(t.graphqlUrl, DeleteUserDocument, { userId: stranger.id }, admin.token), 'NOT_FOUND'],
      ['deactivate as a member', gql(t.graphqlUrl, DeactivateUserDocument, { userId: colleague.userId }, target.token), 'FORBIDDEN'],
      ['make a member an operator', gql(t.graphqlUrl, SetOperatorDocument, { userId: target.userId, operator: true }, admin.token), 'OPERATOR_MUST_BE_ADMIN'],
    ];
    const answers: Record<string, unknown> = {};
    for (const [name, answer] of cases) answers[name] = errorCode((await answer) as Parameters<typeof errorCode>[0]);
    expect(answers).toEqual(Object.fromEntries(cases.map(([name, , code]) => [name, code])));
    const [row] = await t.app.dataSource.query(`SELECT role, operator, deactivated_at FROM app_user WHERE id = $1`, [admin.userId]);
    expect(row).toEqual({ role: 'ADMIN', operator: true, deactivated_at: null });
    await gqlOk(t.graphqlUrl, MeDocument, {}, admin.token);
  });

  it("should let an operator demote an operator only after removing operator, and never leave the instance without one", async () => {
    const second = await newSession(t, { role: Role.ADMIN, workspaceId: admin.workspaceId });
    await gqlOk(t.graphqlUrl, SetOperatorDocument, { userId: second.userId, operator: true }, admin.token);
    expect(errorCode(await gql(t.graphqlUrl, SetUserRoleDocument, { userId: second.userId, role: Role.MEMBER }, admin.token))).toBe('OPERATOR_MUST_BE_ADMIN');
    const { setOperator } = await gqlOk(t.graphqlUrl, SetOperatorDocument, { userId: second.userId, operator: false }, admin.token);
    expect(setOperator.operator).toBe(false);
    const { setUserRole } = await gqlOk(t.graphqlUrl, SetUserRoleDocument, { userId: second.userId, role: Role.MEMBER }, admin.token);
    expect(setUserRole.role).toBe('MEMBER');
    // The only operator cannot step down by themselves: someone must remain.
    expect(errorCode(await gql(t.graphqlUrl, SetOperatorDocument, { userId: admin.userId, operator: false }, admin.token))).toBe('CANNOT_CHANGE_SELF');
  });
});
