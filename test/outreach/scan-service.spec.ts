import type { EntityManager } from 'typeorm';
import { VirtualClock } from '../../src/core/clock';
import type { TransactionRunner } from '../../src/core/db/transaction';
import { AccountStatus, LinkedInAccount } from '../../src/modules/accounts/linkedin-account.entity';
import type { NewLeadEvent } from '../../src/modules/leads/lead-events';
import { LeadStatus } from '../../src/modules/leads/lead-status';
import type { ActionKind } from '../../src/modules/accounts/caps';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/modules/outreach/engine-settings';
import type { ScanMemo } from '../../src/modules/outreach/scan-memo';
import type { AccountScanState } from '../../src/modules/outreach/scan-state';
import { type Deferred, type DueLead, type ExitedLead, ScanRepository, type ScheduledExecution } from '../../src/modules/outreach/scan.repository';
import { ScanService } from '../../src/modules/outreach/scan.service';
import { noDatabase } from '../support/no-database';
import { senderAccount } from '../factories/sender-account';

// ScanService runs its rules against a repository: which statements a scan makes in each
// situation, with what, and what it reports. An in-memory repository, no database.

const NOW = new Date('2026-01-07T10:00:00Z'); // a Wednesday, inside the UTC 09:00–17:00 window
const MINUTE = 60_000;


const dueLead = (id: string, kind: DueLead['kind'] = 'INVITE'): DueLead => ({
  id,
  workspace_id: 'ws-1',
  campaign_id: 'campaign-1',
  account_id: 'account-1',
  status: LeadStatus.PENDING_INVITE,
  step_index: kind === 'INVITE' ? 0 : 1,
  version: 1,
  kind,
});

/** The statements a scan made, in order, with what they were given. */
type Call = { method: string; args: unknown[] };

class FakeScans extends ScanRepository {
  readonly calls: Call[] = [];
  readonly events: NewLeadEvent[] = [];
  accountRows: LinkedInAccount[] = [senderAccount()];
  /** Another scan holds the account's row lock. */
  locked = false;
  scanState: AccountScanState = {
    due: true,
    freshDue: true,
    dueUnaccepted: false,
    used: { inviteToday: 0, messageToday: 0, inviteWeek: 0 },
    pending: { invite: 0, message: 0 },
    lastScheduledAt: null,
  };
  due: Record<ActionKind, DueLead[]> = { invite: [], message: [] };
  exited: ExitedLead[] = [];
  /** Leads a deferral selects; all of them change reason. */
  selectable: DueLead[] = [];
  fresh = new Set<string>();

  constructor() {
    super(noDatabase);
  }
  private record(method: string, ...args: unknown[]) {
    this.calls.push({ method, args });
  }
  methods(): string[] {
    return this.calls.map((c) => c.method);
  }
  argsOf(method: string): unknown[] {
    return this.calls.find((c) => c.method === method)!.args;
  }
  override withManager(_em: EntityManager) {
    return this;
  }
  override async accounts() {
    this.record('accounts');
    return this.accountRows;
  }
  override async lockAccount(accountId: string) {
    this.record('lockAccount', accountId);
    return this.locked ? undefined : this.accountRows.find((a) => a.id === accountId);
  }
  override async setNextSlot(accountId: string, at: Date | null) {
    this.record('setNextSlot', accountId, at);
  }
  override async freshDue(memos: Map<string, ScanMemo>) {
    this.record('freshDue', [...memos.keys()]);
    return this.fresh;
  }
  override async state(accountId: string, now: Date, day: string, windowStart: Date, since: Date | null) {
    this.record('state', accountId, now, day, windowStart, since);
    return this.scanState;
  }
  override async dueLeads(accountId: string, now: Date, kind: ActionKind, limit: number) {
    this.record('dueLeads', kind, limit);
    return this.due[kind].slice(0, limit);
  }
  override async exitUnaccepted(accountId: string, now: Date, limit: number) {
    this.record('exitUnaccepted', limit);
    return this.exited;
  }
  override async deferDue(accountId: string, now: Date, limit: number, reason: string, since: Date | null): Promise<Deferred> {
    this.record('deferDue', reason, since);
    return this.deferred(reason);
  }
  override async deferDueOfKind(accountId: string, now: Date, kind: ActionKind, limit: number, reason: string, since: Date | null): Promise<Deferred> {
    this.record('deferDueOfKind', kind, reason, since);
    return this.deferred(reason);
  }
  private deferred(_reason: string): Deferred {
    return { selected: this.selectable.length, changed: this.selectable.map((l) => ({ ...l, next_step_index: l.step_index })) };
  }
  override async markDeferred(leadIds: string[], reason: string) {
    this.record('markDeferred', leadIds, reason);
    return leadIds.map((id) => ({ id, workspace_id: 'ws-1', campaign_id: 'campaign-1', account_id: 'account-1', next_step_index: 0 }));
  }
  override async insertEvents(events: NewLeadEvent[]) {
    this.record('insertEvents', events.length);
    this.events.push(...events);
  }
  override async createExecutions(leads: Array<DueLead & { at: Date }>): Promise<ScheduledExecution[]> {
    this.record('createExecutions', leads.map((l) => [l.id, l.at.toISOString()]));
    return leads.map((l) => ({ id: `execution-of-${l.id}`, scheduled_for: l.at }));
  }
}

/** Transactions that only hand over a manager; the fake repository ignores it. */
const noTransactions: TransactionRunner = { transaction: (work) => work(noDatabase) };

function setup(settings: Partial<typeof DEFAULT_ENGINE_SETTINGS> = {}, start = NOW) {
  const scans = new FakeScans();
  const clock = new VirtualClock(start);
  const queued: Array<[string, string]> = [];
  const scheduler = { scheduleExecution: async (id: string, at: Date) => void queued.push([id, at.toISOString()]) };
  const service = new ScanService(noTransactions, scans, clock, { ...DEFAULT_ENGINE_SETTINGS, minGapMs: MINUTE, jitterMs: 0, ...settings }, scheduler, () => 0);
  return { scans, clock, queued, service };
}

describe('ScanService.scanAccount', () => {
  it('should pace the due invites into the window, leave those falling after its end waiting for it, and queue the executions', async () => {
    const { scans, service, queued } = setup({}, new Date('2026-01-07T16:58:30Z'));
    scans.due.invite = [dueLead('a'), dueLead('b'), dueLead('c')];

    const scan = await service.scanAccount('account-1');

    expect(scan).toEqual({ accountId: 'account-1', scheduled: 2, deferred: 1, exited: 0, nextSlotAt: new Date('2026-01-07T17:00:30Z') });
    expect(scans.argsOf('dueLeads')).toEqual(['invite', 20]);
    expect(scans.argsOf('markDeferred')).toEqual([['c'], 'WINDOW_FULL']);
    expect(scans.argsOf('createExecutions')).toEqual([
      [
        ['a', '2026-01-07T16:58:30.000Z'],
        ['b', '2026-01-07T16:59:30.000Z'],
      ],
    ]);
    expect(scans.events.map((e) => [e.leadId, e.type, e.reason])).toEqual([['c', 'step_deferred', 'WINDOW_FULL']]);
    expect(scans.argsOf('setNextSlot')).toEqual(['account-1', new Date('2026-01-07T17:00:30Z')]);
    expect(queued).toEqual([
      ['execution-of-a', '2026-01-07T16:58:30.000Z'],
      ['execution-of-b', '2026-01-07T16:59:30.000Z'],
    ]);
  });

  it('should select no more due leads than the cap leaves, and give the next working window as the next slot once both caps are used up', async () => {
    const { scans, service } = setup();
    scans.accountRows = [senderAccount({ dailyInviteCap: 2, dailyMessageCap: 5 })];
    scans.scanState = { ...scans.scanState, used: { inviteToday: 0, messageToday: 5, inviteWeek: 0 } };
    scans.due.invite = [dueLead('a'), dueLead('b'), dueLead('c')];
    scans.selectable = [dueLead('m', 'MESSAGE')];

    const scan = await service.scanAccount('account-1');

    expect(scans.argsOf('dueLeads')).toEqual(['invite', 2]);
    expect(scans.argsOf('deferDueOfKind')).toEqual(['message', 'DAILY_CAP_REACHED', null]);
    expect(scan).toEqual({ accountId: 'account-1', scheduled: 2, deferred: 1, exited: 0, nextSlotAt: new Date('2026-01-08T09:00:00Z') });
    expect(scans.argsOf('setNextSlot')).toEqual(['account-1', new Date('2026-01-08T09:00:00Z')]);
  });

  it('should pace the messages after the scan’s invites, from the last action of the window', async () => {
    const { scans, service } = setup();
    scans.scanState = { ...scans.scanState, lastScheduledAt: new Date('2026-01-07T10:30:00Z') };
    scans.due.invite = [dueLead('a')];
    scans.due.message = [dueLead('m', 'MESSAGE')];

    const scan = await service.scanAccount('account-1');

    expect(scans.argsOf('createExecutions')).toEqual([
      [
        ['a', '2026-01-07T10:31:00.000Z'],
        ['m', '2026-01-07T10:32:00.000Z'],
      ],
    ]);
    expect(scan?.nextSlotAt).toEqual(new Date('2026-01-07T10:33:00Z'));
    expect(scans.methods()).not.toContain('markDeferred');
  });

  it('should defer every due invite for the weekly cap in one statement and still schedule messages', async () => {
    const { scans, service } = setup();
    scans.scanState = { ...scans.scanState, used: { inviteToday: 3, messageToday: 0, inviteWeek: 100 } };
    scans.selectable = [dueLead('x'), dueLead('y')];
    scans.due.message = [dueLead('m', 'MESSAGE')];

    const scan = await service.scanAccount('account-1');

    expect(scans.argsOf('deferDueOfKind')).toEqual(['invite', 'WEEKLY_CAP_REACHED', null]);
    expect(scans.calls.filter((c) => c.method === 'dueLeads').map((c) => c.args[0])).toEqual(['message']);
    expect(scan).toMatchObject({ scheduled: 1, deferred: 2 });
    expect(scans.events.map((e) => [e.leadId, e.reason])).toEqual([
      ['x', 'WEEKLY_CAP_REACHED'],
      ['y', 'WEEKLY_CAP_REACHED'],
    ]);
  });

  it.each([
    ['a paused account', { status: AccountStatus.PAUSED }, NOW, 'ACCOUNT_PAUSED', null],
    ['a cooling account', { cooldownUntil: new Date('2026-01-07T12:00:00Z') }, NOW, 'COOLDOWN', new Date('2026-01-07T12:00:00Z')],
    ['an account out of hours', {}, new Date('2026-01-07T07:00:00Z'), 'OUTSIDE_WORKING_HOURS', new Date('2026-01-07T09:00:00Z')],
  ])('should defer every due lead of %s and select none to send', async (_label, changes, now, reason, nextSlotAt) => {
    const { scans, service, queued } = setup({}, now);
    scans.accountRows = [senderAccount(changes)];
    scans.selectable = [dueLead('x')];

    const scan = await service.scanAccount('account-1');

    expect(scan).toEqual({ accountId: 'account-1', scheduled: 0, deferred: 1, exited: 0, nextSlotAt, reason });
    expect(scans.argsOf('deferDue')).toEqual([reason, null]);
    expect(scans.methods()).not.toContain('dueLeads');
    expect(scans.methods()).not.toContain('createExecutions');
    expect(queued).toEqual([]);
  });

  it('should let invited leads past their acceptance deadline leave the sequence, with a status event each', async () => {
    const { scans, service } = setup();
    scans.scanState = { ...scans.scanState, dueUnaccepted: true };
    scans.exited = [{ id: 'late', workspace_id: 'ws-1', campaign_id: 'campaign-1' }];

    const scan = await service.scanAccount('account-1');

    expect(scan?.exited).toBe(1);
    expect(scans.methods().slice(0, 4)).toEqual(['lockAccount', 'state', 'exitUnaccepted', 'insertEvents']);
    expect(scans.events).toEqual([
      expect.objectContaining({ leadId: 'late', type: 'status_changed', reason: 'INVITE_NOT_ACCEPTED', meta: { from: 'invite_sent', to: 'failed' } }),
    ]);
  });

  it('should make no statement but the read when nothing is due, and not rewrite an unchanged next slot', async () => {
    const { scans, service } = setup();
    scans.accountRows = [senderAccount({ nextSlotAt: NOW })];
    scans.scanState = { ...scans.scanState, due: false, freshDue: false };

    const scan = await service.scanAccount('account-1');

    expect(scan).toEqual({ accountId: 'account-1', scheduled: 0, deferred: 0, exited: 0, nextSlotAt: NOW });
    expect(scans.methods()).toEqual(['lockAccount', 'state']);
  });

  it('should carry the last scan’s deferral when no lead became due since, and look afresh once the account is forgotten', async () => {
    const { scans, service, clock } = setup();
    scans.accountRows = [senderAccount({ status: AccountStatus.PAUSED })];
    scans.selectable = [dueLead('x')];
    await service.scanAccount('account-1');
    expect(scans.argsOf('deferDue')).toEqual(['ACCOUNT_PAUSED', null]);

    // A minute later nothing became due since the first scan: its memo answers, no statement rewrites the reason.
    clock.advance(MINUTE);
    scans.scanState = { ...scans.scanState, freshDue: false };
    scans.calls.length = 0;
    expect(await service.scanAccount('account-1')).toMatchObject({ deferred: 1, reason: 'ACCOUNT_PAUSED' });
    expect(scans.argsOf('state')[4]).toEqual(NOW);
    expect(scans.methods()).toEqual(['lockAccount', 'state']);

    service.forget('account-1');
    scans.calls.length = 0;
    await service.scanAccount('account-1');
    expect(scans.argsOf('state')[4]).toBeNull();
    expect(scans.argsOf('deferDue')).toEqual(['ACCOUNT_PAUSED', null]);
  });

  it('should answer undefined when another scan holds the account', async () => {
    const { scans, service } = setup();
    scans.locked = true;
    await expect(service.scanAccount('account-1')).resolves.toBeUndefined();
    expect(scans.methods()).toEqual(['lockAccount']);
  });
});

describe('ScanService.scanAll', () => {
  it('should skip an account whose last scan was idle until a lead is due again or its next slot comes', async () => {
    const { scans, service, clock } = setup();
    scans.accountRows = [senderAccount({ status: AccountStatus.PAUSED })];
    scans.scanState = { ...scans.scanState, due: false, freshDue: false };

    await service.scanAll();
    clock.advance(MINUTE);
    scans.calls.length = 0;
    expect(await service.scanAll()).toEqual([]);
    expect(scans.methods()).toEqual(['accounts', 'freshDue']);

    scans.fresh = new Set(['account-1']);
    scans.calls.length = 0;
    expect(await service.scanAll()).toHaveLength(1);
    expect(scans.methods()).toContain('lockAccount');
  });

  it('should scan every account again after forget()', async () => {
    const { scans, service } = setup();
    scans.accountRows = [senderAccount({ status: AccountStatus.PAUSED })];
    scans.scanState = { ...scans.scanState, due: false, freshDue: false };
    await service.scanAll();
    service.forget();
    scans.calls.length = 0;
    expect(await service.scanAll()).toHaveLength(1);
    expect(scans.methods()).toEqual(['accounts', 'lockAccount', 'state']);
  });
});
