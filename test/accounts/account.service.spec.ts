import { QueryFailedError } from 'typeorm';
import { VirtualClock } from '../../src/core/clock';
import { Role, type Viewer } from '../../src/core/graphql/viewer';
import type { AccountRepository, UnipileLink } from '../../src/modules/accounts/account.repository';
import { AccountService, type UnipileAccountsApi } from '../../src/modules/accounts/account.service';
import type { LinkAccountInput, UpdateAccountInput } from '../../src/modules/accounts/account.types';
import { ACCOUNT_DEFAULTS, AccountStatus, LinkedInAccount } from '../../src/modules/accounts/linkedin-account.entity';
import { UnipileError } from '../../src/modules/unipile/unipile.errors';
import type { UnipileAccount } from '../../src/modules/unipile/unipile.schemas';

type Accounts = Pick<AccountRepository, 'listByWorkspace' | 'findInWorkspace' | 'findByIds' | 'linksOf' | 'build' | 'save'>;

const viewer = (workspaceId = 'ws-1'): Viewer => ({
  userId: 'u-1',
  workspaceId,
  role: Role.ADMIN,
  operator: false,
  email: 'admin@example.com',
  expiresAt: new Date('2026-02-01T00:00:00Z'),
  tokenVersion: 1,
  userTokenVersion: 1,
});

const remote = (id: string, attrs: Partial<UnipileAccount> = {}): UnipileAccount => ({
  id,
  type: 'LINKEDIN',
  name: `Sender ${id}`,
  created_at: '2026-01-01T00:00:00Z',
  connection_params: { im: { id: `member-${id}`, publicIdentifier: `Sender-${id}` } },
  sources: [{ id: `${id}_MESSAGING`, status: 'OK' }],
  ...attrs,
});

/** linkedin_account in memory: saved rows get the table's defaults, a second link of a Unipile id is a unique violation. */
class FakeAccounts implements Accounts {
  rows = new Map<string, LinkedInAccount>();
  saves = 0;
  private next = 1;

  async listByWorkspace(workspaceId: string): Promise<LinkedInAccount[]> {
    return [...this.rows.values()].filter((a) => a.workspaceId === workspaceId).map(copy);
  }

  async findInWorkspace(id: string, workspaceId: string): Promise<LinkedInAccount | null> {
    const row = this.rows.get(id);
    return row && row.workspaceId === workspaceId ? copy(row) : null;
  }

  async findByIds(workspaceId: string, ids: readonly string[]): Promise<LinkedInAccount[]> {
    return ids.map((id) => this.rows.get(id)).filter((a): a is LinkedInAccount => a?.workspaceId === workspaceId);
  }

  async linksOf(unipileAccountIds: string[]): Promise<UnipileLink[]> {
    return [...this.rows.values()]
      .filter((a) => unipileAccountIds.includes(a.unipileAccountId))
      .map((a) => ({ unipileAccountId: a.unipileAccountId, workspaceId: a.workspaceId }));
  }

  build(fields: Partial<LinkedInAccount>): LinkedInAccount {
    return Object.assign(new LinkedInAccount(), fields);
  }

  async save(account: LinkedInAccount): Promise<LinkedInAccount> {
    const clash = [...this.rows.values()].find((a) => a.unipileAccountId === account.unipileAccountId && a.id !== account.id);
    if (clash) throw new QueryFailedError('INSERT INTO linkedin_account', [], Object.assign(new Error('duplicate key'), { code: '23505' }));
    this.saves++;
    const saved = Object.assign(new LinkedInAccount(), { ...ACCOUNT_DEFAULTS, workingDays: [...ACCOUNT_DEFAULTS.workingDays] }, account);
    saved.id ??= `acc-${this.next++}`;
    this.rows.set(saved.id, saved);
    return copy(saved);
  }

  add(attrs: Partial<LinkedInAccount>): LinkedInAccount {
    const id = attrs.id ?? `acc-${this.next++}`;
    const row = Object.assign(new LinkedInAccount(), {
      ...ACCOUNT_DEFAULTS,
      workingDays: [...ACCOUNT_DEFAULTS.workingDays],
      id,
      workspaceId: 'ws-1',
      unipileAccountId: `u-${id}`,
      ownerProviderId: `member-${id}`,
      ownerPublicIdentifier: null,
      displayName: id,
      status: AccountStatus.ACTIVE,
      statusReason: null,
      rampStartCap: null,
      rampDailyIncrement: null,
      rampTargetCap: null,
      rampStartedAt: null,
      cooldownUntil: null,
      ...attrs,
    });
    this.rows.set(id, row);
    return row;
  }
}

const copy = (a: LinkedInAccount): LinkedInAccount => Object.assign(new LinkedInAccount(), a);

/** Unipile's accounts in memory, in pages of two; a missing id is Unipile's NOT_FOUND. */
class FakeUnipile implements UnipileAccountsApi {
  accounts: UnipileAccount[] = [];
  failure?: UnipileError;

  async listAccounts(params: { cursor?: string } = {}) {
    if (this.failure) throw this.failure;
    const start = Number(params.cursor ?? 0);
    const items = this.accounts.slice(start, start + 2);
    const cursor = start + 2 < this.accounts.length ? String(start + 2) : null;
    return { object: 'AccountList', items, cursor };
  }

  async getAccount(id: string) {
    if (this.failure) throw this.failure;
    const account = this.accounts.find((a) => a.id === id);
    if (!account) throw new UnipileError('NOT_FOUND', `no account ${id}`, { operation: 'getAccount', status: 404 });
    return account;
  }
}

const link = (unipileAccountId: string, settings: Partial<LinkAccountInput> = {}): LinkAccountInput => Object.assign({ unipileAccountId }, settings) as LinkAccountInput;
const update = (settings: Partial<UpdateAccountInput>): UpdateAccountInput => settings as UpdateAccountInput;

describe(AccountService.name, () => {
  let accounts: FakeAccounts;
  let unipile: FakeUnipile;
  let clock: VirtualClock;
  let service: AccountService;

  beforeEach(() => {
    accounts = new FakeAccounts();
    unipile = new FakeUnipile();
    clock = new VirtualClock('2026-01-10T12:00:00Z');
    service = new AccountService(accounts, unipile, clock);
  });

  describe('link', () => {
    it("should store the owner's member id and an active status when Unipile reports every source OK", async () => {
      unipile.accounts = [remote('A')];

      const account = await service.link(viewer(), link('A', { displayName: 'Alice' }));

      expect(account).toMatchObject({
        workspaceId: 'ws-1',
        unipileAccountId: 'A',
        ownerProviderId: 'member-A',
        ownerPublicIdentifier: 'sender-a',
        displayName: 'Alice',
        status: AccountStatus.ACTIVE,
        statusReason: null,
      });
    });

    it('should store a disconnected account with the failing source status when a source is not OK', async () => {
      unipile.accounts = [remote('A', { sources: [{ id: 'A_MESSAGING', status: 'CREDENTIALS' }] })];

      const account = await service.link(viewer(), link('A'));

      expect(account).toMatchObject({ status: AccountStatus.DISCONNECTED, statusReason: 'Unipile source status CREDENTIALS', displayName: 'Sender A' });
    });

    it('should refuse with UNIPILE_ACCOUNT_NOT_LINKEDIN and save nothing when the account is of another provider', async () => {
      unipile.accounts = [remote('A', { type: 'WHATSAPP' })];

      await expect(service.link(viewer(), link('A'))).rejects.toMatchObject({ code: 'UNIPILE_ACCOUNT_NOT_LINKEDIN' });
      expect(accounts.saves).toBe(0);
    });

    it('should answer UNIPILE_ACCOUNT_NOT_FOUND when Unipile has no such account', async () => {
      await expect(service.link(viewer(), link('missing'))).rejects.toMatchObject({ code: 'UNIPILE_ACCOUNT_NOT_FOUND' });
    });

    it('should answer UNIPILE_UNAVAILABLE with the Unipile code when Unipile fails otherwise', async () => {
      unipile.failure = new UnipileError('TEMPORARY', 'upstream 503', { operation: 'getAccount', status: 503 });

      await expect(service.link(viewer(), link('A'))).rejects.toMatchObject({ code: 'UNIPILE_UNAVAILABLE', details: { unipileCode: 'TEMPORARY' } });
    });

    it('should answer UNIPILE_ACCOUNT_ALREADY_LINKED when the unique index refuses a second link', async () => {
      unipile.accounts = [remote('A')];
      await service.link(viewer('ws-2'), link('A'));

      await expect(service.link(viewer(), link('A'))).rejects.toMatchObject({ code: 'UNIPILE_ACCOUNT_ALREADY_LINKED' });
      expect(accounts.saves).toBe(1);
    });

    it('should start the warm-up at the clock when a warm-up is given', async () => {
      unipile.accounts = [remote('A')];

      const account = await service.link(viewer(), link('A', { dailyInviteCap: 30, warmup: { startCap: 5, dailyIncrement: 5, targetCap: 30 } }));

      expect(account).toMatchObject({ rampStartCap: 5, rampDailyIncrement: 5, rampTargetCap: 30, rampStartedAt: clock.now() });
    });
  });

  describe('update', () => {
    it('should answer NOT_FOUND when the account is of another workspace', async () => {
      const theirs = accounts.add({ workspaceId: 'ws-2' });

      await expect(service.update(viewer(), theirs.id, update({ dailyInviteCap: 10 }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(accounts.saves).toBe(0);
    });

    it('should list every invalid field at once and save nothing when settings are inconsistent', async () => {
      const account = accounts.add({});

      const attempt = service.update(
        viewer(),
        account.id,
        update({ timezone: 'Mars/Olympus', workingHoursStart: '18:00', workingHoursEnd: '9am', weeklyInviteCap: 10, dailyInviteCap: 20 }),
      );

      await expect(attempt).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        details: {
          fields: [
            { field: 'timezone', constraints: ['Mars/Olympus is not an IANA time zone'] },
            { field: 'workingHoursEnd', constraints: ['workingHoursEnd must be a local time "HH:MM"'] },
            { field: 'workingHoursEnd', constraints: ['workingHoursEnd must be after workingHoursStart'] },
            { field: 'weeklyInviteCap', constraints: ['weeklyInviteCap must be at least dailyInviteCap'] },
          ],
        },
      });
      expect(accounts.saves).toBe(0);
      expect(accounts.rows.get(account.id)).toMatchObject({ timezone: 'UTC', dailyInviteCap: ACCOUNT_DEFAULTS.dailyInviteCap });
    });

    it('should refuse a warm-up that starts above its target or ends above the daily cap', async () => {
      const account = accounts.add({ dailyInviteCap: 20 });

      await expect(service.update(viewer(), account.id, update({ warmup: { startCap: 30, dailyIncrement: 1, targetCap: 25 } }))).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        details: {
          fields: [
            { field: 'warmup', constraints: ['warmup.startCap must not exceed warmup.targetCap'] },
            { field: 'warmup', constraints: ['warmup.targetCap must not exceed dailyInviteCap'] },
          ],
        },
      });
    });

    it('should clear the warm-up when it is set to null', async () => {
      const account = accounts.add({ rampStartCap: 5, rampDailyIncrement: 5, rampTargetCap: 20, rampStartedAt: new Date('2026-01-01T00:00:00Z') });

      const updated = await service.update(viewer(), account.id, update({ warmup: null }));

      expect(updated).toMatchObject({ rampStartCap: null, rampDailyIncrement: null, rampTargetCap: null, rampStartedAt: null });
    });

    it('should store sorted, distinct working days and minutes of the day for the hours', async () => {
      const account = accounts.add({});

      const updated = await service.update(viewer(), account.id, update({ workingDays: [5, 1, 3, 1], workingHoursStart: '08:30', workingHoursEnd: '24:00' }));

      expect(updated).toMatchObject({ workingDays: [1, 3, 5], workStartMinute: 510, workEndMinute: 1440 });
    });

    it('should pause with a reason when an operator pauses the account', async () => {
      const account = accounts.add({});

      const updated = await service.update(viewer(), account.id, update({ status: AccountStatus.PAUSED }));

      expect(updated).toMatchObject({ status: AccountStatus.PAUSED, statusReason: 'Paused by an operator' });
    });

    it('should resume a paused account without asking Unipile', async () => {
      const account = accounts.add({ status: AccountStatus.PAUSED, statusReason: 'Paused by an operator' });
      unipile.failure = new UnipileError('TEMPORARY', 'down', { operation: 'getAccount' });

      const updated = await service.update(viewer(), account.id, update({ status: AccountStatus.ACTIVE }));

      expect(updated).toMatchObject({ status: AccountStatus.ACTIVE, statusReason: null });
    });

    it('should refuse with ACCOUNT_STILL_DISCONNECTED when Unipile still reports a failing source', async () => {
      const account = accounts.add({ unipileAccountId: 'A', status: AccountStatus.DISCONNECTED, statusReason: 'gone' });
      unipile.accounts = [remote('A', { sources: [{ id: 'A_MESSAGING', status: 'CREDENTIALS' }] })];

      await expect(service.update(viewer(), account.id, update({ status: AccountStatus.ACTIVE }))).rejects.toMatchObject({ code: 'ACCOUNT_STILL_DISCONNECTED' });
      expect(accounts.rows.get(account.id)!.status).toBe(AccountStatus.DISCONNECTED);
    });

    it('should resume a disconnected account once Unipile reports it connected', async () => {
      const account = accounts.add({ unipileAccountId: 'A', status: AccountStatus.RESTRICTED, statusReason: 'restricted' });
      unipile.accounts = [remote('A')];

      const updated = await service.update(viewer(), account.id, update({ status: AccountStatus.ACTIVE }));

      expect(updated).toMatchObject({ status: AccountStatus.ACTIVE, statusReason: null });
    });
  });

  describe('availableUnipileAccounts', () => {
    it('should page through Unipile and offer LinkedIn accounts not linked by another workspace', async () => {
      unipile.accounts = [remote('A'), remote('B'), remote('C', { type: 'WHATSAPP' }), remote('D', { sources: [{ id: 'D_M', status: 'STOPPED' }] }), remote('E')];
      accounts.add({ unipileAccountId: 'A' });
      accounts.add({ unipileAccountId: 'B', workspaceId: 'ws-2' });

      const options = await service.availableUnipileAccounts(viewer());

      expect(options).toEqual([
        { unipileAccountId: 'A', name: 'Sender A', ownerProviderId: 'member-A', connectionStatus: 'OK', linked: true },
        { unipileAccountId: 'D', name: 'Sender D', ownerProviderId: 'member-D', connectionStatus: 'STOPPED', linked: false },
        { unipileAccountId: 'E', name: 'Sender E', ownerProviderId: 'member-E', connectionStatus: 'OK', linked: false },
      ]);
    });
  });
});
