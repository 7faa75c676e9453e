import { AccountDocument, AccountsDocument, LinkAccountDocument, UnipileAccountsDocument, UpdateAccountDocument } from '../graphql/generated';
import { linkSandboxAccount } from '../factories/account.factory';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, newSession, type Session } from '../support/workspace';
import { Role } from '../../src/core/graphql/viewer';

describe('sender accounts', () => {
  let t: TestApp;
  let admin: Session;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await adminSession(t);
  });
  afterAll(() => t.stop());

  it('should link a Unipile LinkedIn account with the defaults and its owner member id', async () => {
    const remote = t.app.sandbox!.createAccount({ name: 'Jane Sender' });
    const { linkAccount } = await gqlOk(t.graphqlUrl, LinkAccountDocument, { input: { unipileAccountId: remote.id } }, admin.token);
    expect(linkAccount).toMatchObject({
      unipileAccountId: remote.id,
      ownerProviderId: remote.ownerProviderId,
      displayName: 'Jane Sender',
      status: 'ACTIVE',
      dailyInviteCap: 25,
      dailyMessageCap: 100,
      weeklyInviteCap: 100,
      timezone: 'UTC',
      workingHoursStart: '09:00',
      workingHoursEnd: '17:00',
      workingDays: [1, 2, 3, 4, 5],
      rampStartCap: null,
    });
    const { accounts } = await gqlOk(t.graphqlUrl, AccountsDocument, {}, admin.token);
    expect(accounts.map((a) => a.id)).toContain(linkAccount.id);
  });

  it('should list the Unipile accounts this workspace can link, marking the linked ones', async () => {
    const linked = await linkSandboxAccount(t, admin.token);
    const { unipileAccounts } = await gqlOk(t.graphqlUrl, UnipileAccountsDocument, {}, admin.token);
    const option = unipileAccounts.find((a) => a.unipileAccountId === linked.unipileAccountId);
    expect(option).toMatchObject({ linked: true, connectionStatus: 'OK', ownerProviderId: linked.ownerProviderId });
    expect(unipileAccounts.length).toBeGreaterThanOrEqual(t.app.sandbox!.accounts().length - 0);

    const other = await newSession(t);
    const seenByOther = (await gqlOk(t.graphqlUrl, UnipileAccountsDocument, {}, other.token)).unipileAccounts;
    expect(seenByOther.map((a) => a.unipileAccountId)).not.toContain(linked.unipileAccountId);
  });

  it('should refuse an account Unipile does not know, one already linked, and linking by a member', async () => {
    const unknown = await gql(t.graphqlUrl, LinkAccountDocument, { input: { unipileAccountId: 'NoSuchAccount000000000' } }, admin.token);
    expect(errorCode(unknown)).toBe('UNIPILE_ACCOUNT_NOT_FOUND');

    const linked = await linkSandboxAccount(t, admin.token);
    const again = await gql(t.graphqlUrl, LinkAccountDocument, { input: { unipileAccountId: linked.unipileAccountId } }, admin.token);
    expect(errorCode(again)).toBe('UNIPILE_ACCOUNT_ALREADY_LINKED');
    const elsewhere = await newSession(t);
    const stolen = await gql(t.graphqlUrl, LinkAccountDocument, { input: { unipileAccountId: linked.unipileAccountId } }, elsewhere.token);
    expect(errorCode(stolen)).toBe('UNIPILE_ACCOUNT_ALREADY_LINKED');

    const member = await newSession(t, { role: Role.MEMBER, workspaceId: admin.workspaceId });
    const remote = t.app.sandbox!.createAccount();
    expect(errorCode(await gql(t.graphqlUrl, LinkAccountDocument, { input: { unipileAccountId: remote.id } }, member.token))).toBe('FORBIDDEN');
  });

  it('should store a disconnected Unipile account as DISCONNECTED and resume it only once Unipile reconnects it', async () => {
    const remote = t.app.sandbox!.createAccount();
    t.app.sandbox!.setAccountStatus(remote.id, 'CREDENTIALS');
    const { linkAccount } = await gqlOk(t.graphqlUrl, LinkAccountDocument, { input: { unipileAccountId: remote.id } }, admin.token);
    expect(linkAccount).toMatchObject({ status: 'DISCONNECTED', statusReason: 'Unipile source status CREDENTIALS' });

    const early = await gql(t.graphqlUrl, UpdateAccountDocument, { id: linkAccount.id, input: { status: 'ACTIVE' } }, admin.token);
    expect(errorCode(early)).toBe('ACCOUNT_STILL_DISCONNECTED');

    t.app.sandbox!.setAccountStatus(remote.id, 'OK');
    const { updateAccount } = await gqlOk(t.graphqlUrl, UpdateAccountDocument, { id: linkAccount.id, input: { status: 'ACTIVE' } }, admin.token);
    expect(updateAccount).toMatchObject({ status: 'ACTIVE', statusReason: null });
  });

  it('should update limits, hours, days and warm-up, and pause and resume', async () => {
    const account = await linkSandboxAccount(t, admin.token);
    const { updateAccount } = await gqlOk(
      t.graphqlUrl,
      UpdateAccountDocument,
      {
        id: account.id,
        input: {
          dailyInviteCap: 30,
          dailyMessageCap: 80,
          weeklyInviteCap: 150,
          timezone: 'Europe/Paris',
          workingHoursStart: '08:30',
          workingHoursEnd: '18:00',
          workingDays: [5, 1, 2, 2],
          warmup: { startCap: 5, dailyIncrement: 3, targetCap: 25 },
          status: 'PAUSED',
        },
      },
      admin.token,
    );
    expect(updateAccount).toMatchObject({
      dailyInviteCap: 30,
      dailyMessageCap: 80,
      weeklyInviteCap: 150,
      timezone: 'Europe/Paris',
      workingHoursStart: '08:30',
      workingHoursEnd: '18:00',
      workingDays: [1, 2, 5],
      rampStartCap: 5,
      rampDailyIncrement: 3,
      rampTargetCap: 25,
      status: 'PAUSED',
      statusReason: 'Paused by an operator',
    });
    expect(updateAccount.rampStartedAt).not.toBeNull();
    const resumed = await gqlOk(t.graphqlUrl, UpdateAccountDocument, { id: account.id, input: { status: 'ACTIVE', warmup: null } }, admin.token);
    expect(resumed.updateAccount).toMatchObject({ status: 'ACTIVE', rampStartCap: null, rampStartedAt: null });
  });

  it.each([
    [{ timezone: 'Mars/Olympus' }, 'timezone'],
    [{ workingHoursStart: '9am' }, 'workingHoursStart'],
    [{ workingHoursStart: '18:00', workingHoursEnd: '09:00' }, 'workingHoursEnd'],
    [{ warmup: { startCap: 30, dailyIncrement: 1, targetCap: 20 } }, 'warmup'],
    [{ dailyInviteCap: 50, weeklyInviteCap: 40 }, 'weeklyInviteCap'],
    [{ workingDays: [0, 8] }, 'workingDays'],
    [{ status: 'DISCONNECTED' as const }, 'status'],
  ])('should refuse invalid settings %j with BAD_USER_INPUT naming %s, changing nothing', async (input, field) => {
    const account = await linkSandboxAccount(t, admin.token);
    const res = await gql(t.graphqlUrl, UpdateAccountDocument, { id: account.id, input }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    const fields = (res.errors![0].extensions!.fields as Array<{ field: string }>).map((f) => f.field);
    expect(fields).toContain(field);
    const { account: after } = await gqlOk(t.graphqlUrl, AccountDocument, { id: account.id }, admin.token);
    expect(after).toEqual(account);
  });

  it("should not show or change another workspace's account", async () => {
    const account = await linkSandboxAccount(t, admin.token);
    const other = await newSession(t);
    expect(errorCode(await gql(t.graphqlUrl, AccountDocument, { id: account.id }, other.token))).toBe('NOT_FOUND');
    const res = await gql(t.graphqlUrl, UpdateAccountDocument, { id: account.id, input: { status: 'PAUSED' } }, other.token);
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect((await gqlOk(t.graphqlUrl, AccountsDocument, {}, other.token)).accounts).toEqual([]);
  });
});
