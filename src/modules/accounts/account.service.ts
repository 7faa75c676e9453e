import { isUniqueViolation } from '../../core/db/errors';
import { InputError, NotFoundError } from '../../core/errors';
import type { Clock } from '../../core/clock';
import type { Viewer } from '../../core/graphql/viewer';
import { type UnipileAccount, type UnipileClient, UnipileError } from '../unipile';
import { AccountError } from './account.errors';
import type { AccountRepository } from './account.repository';
import type { AccountSettingsInput, LinkAccountInput, UnipileAccountOption, UpdateAccountInput } from './account.types';
import { AccountStatus, type LinkedInAccount } from './linkedin-account.entity';
import { isValidTimeZone } from '../../core/time/zones';
import { parseMinuteOfDay } from './working-hours';

export type UnipileAccountsApi = Pick<UnipileClient, 'getAccount' | 'listAccounts'>;

export class AccountService {
  constructor(
    private readonly accounts: Pick<AccountRepository, 'listByWorkspace' | 'findInWorkspace' | 'findByIds' | 'linksOf' | 'build' | 'save'>,
    private readonly unipile: UnipileAccountsApi,
    private readonly clock: Clock,
  ) {}

  list(viewer: Viewer): Promise<LinkedInAccount[]> {
    return this.accounts.listByWorkspace(viewer.workspaceId);
  }

  async get(viewer: Viewer, id: string): Promise<LinkedInAccount> {
    const account = await this.accounts.findInWorkspace(id, viewer.workspaceId);
    if (!account) throw new NotFoundError('Account', id);
    return account;
  }

  /** For DataLoaders: the accounts of the viewer's workspace among these ids. */
  byIds(viewer: Viewer, ids: readonly string[]): Promise<LinkedInAccount[]> {
    return this.accounts.findByIds(viewer.workspaceId, ids);
  }

  /** The LinkedIn accounts connected in Unipile that this workspace may link (not linked elsewhere). */
  async availableUnipileAccounts(viewer: Viewer): Promise<UnipileAccountOption[]> {
    const accounts: UnipileAccount[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.callUnipile(() => this.unipile.listAccounts({ cursor, limit: 250 }));
      accounts.push(...page.items);
      cursor = page.cursor ?? undefined;
    } while (cursor);
    const linked = await this.accounts.linksOf(accounts.map((a) => a.id));
    const linkedBy = new Map(linked.map((a) => [a.unipileAccountId, a.workspaceId]));
    return accounts
      .filter((a) => a.type === 'LINKEDIN')
      .filter((a) => !linkedBy.has(a.id) || linkedBy.get(a.id) === viewer.workspaceId)
      .map((a) => ({
        unipileAccountId: a.id,
        name: a.name,
        ownerProviderId: a.connection_params?.im?.id ?? null,
        connectionStatus: connectionStatus(a),
        linked: linkedBy.get(a.id) === viewer.workspaceId,
      }));
  }

  /** Links a Unipile LinkedIn account after checking it with Unipile; stores its owner's member id. */
  async link(viewer: Viewer, input: LinkAccountInput): Promise<LinkedInAccount> {
    const remote = await this.fetchUnipileAccount(input.unipileAccountId);
    const ownerProviderId = remote.connection_params?.im?.id;
    if (remote.type !== 'LINKEDIN' || !ownerProviderId) {
      throw new AccountError('UNIPILE_ACCOUNT_NOT_LINKEDIN', `Unipile account ${remote.id} is not a LinkedIn account`);
    }
    const status = connectionStatus(remote);
    const account = this.accounts.build({
      workspaceId: viewer.workspaceId,
      unipileAccountId: remote.id,
      ownerProviderId,
      ownerPublicIdentifier: remote.connection_params?.im?.publicIdentifier?.toLowerCase() ?? null,
      displayName: input.displayName ?? remote.name,
      status: status === 'OK' ? AccountStatus.ACTIVE : AccountStatus.DISCONNECTED,
      statusReason: status === 'OK' ? null : `Unipile source status ${status}`,
      rampStartedAt: null,
      cooldownUntil: null,
    });
    this.applySettings(account, input);
    try {
      return await this.accounts.save(account);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AccountError('UNIPILE_ACCOUNT_ALREADY_LINKED', `Unipile account ${remote.id} is already linked`);
      }
      throw error;
    }
  }

  async update(viewer: Viewer, id: string, input: UpdateAccountInput): Promise<LinkedInAccount> {
    const account = await this.get(viewer, id);
    this.applySettings(account, input);
    if (input.status === AccountStatus.PAUSED) {
      account.status = AccountStatus.PAUSED;
      account.statusReason = 'Paused by an operator';
    } else if (input.status === AccountStatus.ACTIVE && account.status !== AccountStatus.ACTIVE) {
      // A disconnected or restricted account resumes only once Unipile says it is connected again.
      if (account.status !== AccountStatus.PAUSED) {
        const status = connectionStatus(await this.fetchUnipileAccount(account.unipileAccountId));
        if (status !== 'OK') {
          throw new AccountError('ACCOUNT_STILL_DISCONNECTED', `Unipile still reports ${status} for this account`);
        }
      }
      account.status = AccountStatus.ACTIVE;
      account.statusReason = null;
    }
    return this.accounts.save(account);
  }

  private applySettings(account: LinkedInAccount, input: AccountSettingsInput): void {
    const problems: Array<{ field: string; constraints: string[] }> = [];
    const problem = (field: string, message: string) => problems.push({ field, constraints: [message] });
    if (input.displayName !== undefined) account.displayName = input.displayName.trim();
    if (input.dailyInviteCap !== undefined) account.dailyInviteCap = input.dailyInviteCap;
    if (input.dailyMessageCap !== undefined) account.dailyMessageCap = input.dailyMessageCap;
    if (input.weeklyInviteCap !== undefined) account.weeklyInviteCap = input.weeklyInviteCap;
    if (input.timezone !== undefined) {
      if (isValidTimeZone(input.timezone)) account.timezone = input.timezone;
      else problem('timezone', `${input.timezone} is not an IANA time zone`);
    }
    for (const [field, key] of [
      ['workingHoursStart', 'workStartMinute'],
      ['workingHoursEnd', 'workEndMinute'],
    ] as const) {
      const value = input[field];
      if (value === undefined) continue;
      const minute = parseMinuteOfDay(value);
      if (minute === undefined) problem(field, `${field} must be a local time "HH:MM"`);
      else account[key] = minute;
    }
    if (account.workStartMinute >= account.workEndMinute) {
      problem('workingHoursEnd', 'workingHoursEnd must be after workingHoursStart');
    }
    if (input.workingDays !== undefined) account.workingDays = [...new Set(input.workingDays)].sort();
    if (input.warmup === null) {
      Object.assign(account, { rampStartCap: null, rampDailyIncrement: null, rampTargetCap: null, rampStartedAt: null });
    } else if (input.warmup) {
      const { startCap, dailyIncrement, targetCap } = input.warmup;
      if (startCap > targetCap) problem('warmup', 'warmup.startCap must not exceed warmup.targetCap');
      Object.assign(account, {
        rampStartCap: startCap,
        rampDailyIncrement: dailyIncrement,
        rampTargetCap: targetCap,
        rampStartedAt: this.clock.now(),
      });
    }
    if (account.rampTargetCap !== null && account.rampTargetCap > account.dailyInviteCap) {
      problem('warmup', 'warmup.targetCap must not exceed dailyInviteCap');
    }
    if (account.weeklyInviteCap < account.dailyInviteCap) {
      problem('weeklyInviteCap', 'weeklyInviteCap must be at least dailyInviteCap');
    }
    if (problems.length > 0) {
      throw new InputError('Account settings are invalid', { fields: problems });
    }
  }

  private async fetchUnipileAccount(unipileAccountId: string): Promise<UnipileAccount> {
    try {
      return await this.callUnipile(() => this.unipile.getAccount(unipileAccountId));
    } catch (error) {
      if (error instanceof UnipileError && error.code === 'NOT_FOUND') {
        throw new AccountError('UNIPILE_ACCOUNT_NOT_FOUND', `Unipile has no account ${unipileAccountId}`);
      }
      throw error;
    }
  }

  private async callUnipile<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof UnipileError && error.code !== 'NOT_FOUND') {
        throw new AccountError('UNIPILE_UNAVAILABLE', `Unipile could not answer: ${error.message}`, { unipileCode: error.code });
      }
      throw error;
    }
  }
}

/** OK when every source of the account is OK, else the first failing source status. */
function connectionStatus(account: UnipileAccount): string {
  return account.sources.find((s) => s.status !== 'OK')?.status ?? 'OK';
}
