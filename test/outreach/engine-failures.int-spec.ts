import { type EngineTest, startEngineTest } from '../support/engine-harness';

const HOUR = 3_600_000;
const ALWAYS = { workingHoursStart: '00:00', workingHoursEnd: '24:00', workingDays: [1, 2, 3, 4, 5, 6, 7] };
const INVITE_ONLY = [{ kind: 'INVITE' as const, delayMinutes: 0, template: 'Hi {{first_name|there}}' }];
const INVITE = { method: 'POST', route: '/api/v1/users/invite' };

describe('sequence engine: each Unipile failure kind', () => {
  let e: EngineTest;
  beforeAll(async () => {
    // A short client timeout, so the `timeout` fault resolves in a second of real time.
    e = await startEngineTest({ env: { UNIPILE_TIMEOUT: '1s' }, sandbox: { acceptance: { probability: 0 } } });
  });
  afterAll(() => e.t.stop());

  async function scenario(fault?: Record<string, unknown>) {
    const account = await e.account(ALWAYS);
    if (fault) e.t.app.sandbox!.faults.add({ ...fault, match: { ...INVITE, accountId: account.unipileAccountId } } as never);
    const campaign = await e.campaign({ senders: [account.id], leads: 1, steps: INVITE_ONLY });
    const db = e.t.app.dataSource;
    return {
      account,
      campaign,
      invitations: () => e.t.app.sandbox!.sentInvitations(account.unipileAccountId),
      lead: async () => (await db.query(`SELECT * FROM lead WHERE campaign_id = $1`, [campaign.id]))[0],
      execution: async () => (await db.query(`SELECT * FROM step_execution WHERE campaign_id = $1`, [campaign.id]))[0],
      ledger: async () =>
        (await db.query(`SELECT coalesce(sum(used), 0)::int AS used FROM rate_ledger WHERE account_id = $1 AND kind = 'invite'`, [account.id]))[0].used,
      accountRow: async () => (await db.query(`SELECT * FROM linkedin_account WHERE id = $1`, [account.id]))[0],
      events: async (type: string) =>
        db.query(`SELECT * FROM lead_event WHERE campaign_id = $1 AND type = $2`, [campaign.id, type]) as Promise<Array<{ meta: Record<string, unknown> }>>,
    };
  }

  it('should cool the account down on RATE_LIMITED, keep the slot used, and send after the cooldown', async () => {
    const s = await scenario({ kind: 'rate_limited', times: 1 });
    await e.runner.runFor(HOUR);
    const account = await s.accountRow();
    expect(account.cooldown_until.getTime()).toBeGreaterThan(e.clock.now().getTime() + 2.5 * HOUR);
    expect(await s.lead()).toMatchObject({ status: 'pending_invite', waiting_reason: 'COOLDOWN' });
    expect(s.invitations()).toHaveLength(0);
    expect(await s.ledger()).toBe(1);
    await e.runner.runFor(4 * HOUR);
    expect(s.invitations()).toHaveLength(1);
    expect(await s.lead()).toMatchObject({ status: 'completed' });
    expect(await s.ledger()).toBe(2);
  });

  it('should retry a 500 after reconciling, and send exactly once', async () => {
    const s = await scenario({ kind: 'server_error', times: 1 });
    await e.runner.runFor(HOUR);
    expect(s.invitations()).toHaveLength(1);
    expect(await s.execution()).toMatchObject({ state: 'sent', attempts: 2 });
    expect(await s.events('connection_request_sent')).toHaveLength(1);
    expect(await s.ledger()).toBe(1);
  });

  it('should not resend after a timeout whose invitation went out: it finds and records it', async () => {
    const s = await scenario({ kind: 'timeout', times: 1 });
    await e.runner.runFor(HOUR);
    expect(s.invitations()).toHaveLength(1);
    expect(await s.execution()).toMatchObject({ state: 'sent', attempts: 2 });
    const [event] = await s.events('connection_request_sent');
    expect(event.meta.unipile_result).toMatchObject({ found_by: 'reconciled', id: s.invitations()[0].invitationId });
    expect(await s.ledger()).toBe(1);
  });

  it('should fail the step after the attempts run out while Unipile stays unavailable', async () => {
    const s = await scenario({ kind: 'unavailable', times: 50 });
    await e.runner.runFor(3 * HOUR);
    expect(s.invitations()).toHaveLength(0);
    expect(await s.execution()).toMatchObject({ state: 'failed', attempts: 5 });
    expect(await s.lead()).toMatchObject({ status: 'failed', status_reason: 'UNIPILE_UNAVAILABLE:TEMPORARY' });
  });

  it.each([
    [{ kind: 'disconnected', times: 1 }, 'DISCONNECTED'],
    [{ kind: 'error', status: 403, type: 'errors/account_restricted', title: 'Restricted', times: 1 }, 'RESTRICTED'],
  ])('should stop the account on %j (%s) and keep its lead waiting', async (fault, status) => {
    const s = await scenario(fault);
    await e.runner.runFor(HOUR);
    expect(await s.accountRow()).toMatchObject({ status });
    expect(await s.lead()).toMatchObject({ status: 'pending_invite', waiting_reason: `ACCOUNT_${status}` });
    expect(await s.ledger()).toBe(0);
    await e.runner.runFor(HOUR);
    expect(s.invitations()).toHaveLength(0);
  });

  it('should mark the lead invited and move on when LinkedIn says already invited', async () => {
    const s = await scenario({ kind: 'error', status: 422, type: 'errors/already_invited_recently', title: 'Should delay new invitation to this recipient', times: 1 });
    await e.runner.runFor(HOUR);
    expect(await s.lead()).toMatchObject({ status: 'invite_sent', status_reason: 'ALREADY_INVITED' });
    expect(await s.events('connection_request_sent')).toHaveLength(0);
    expect(await s.ledger()).toBe(0);
  });

  it('should fail the lead with the reason when the recipient is invalid', async () => {
    const s = await scenario({ kind: 'error', status: 422, type: 'errors/invalid_recipient', title: 'Recipient cannot be reached', times: 1 });
    await e.runner.runFor(HOUR);
    expect(await s.lead()).toMatchObject({ status: 'failed', status_reason: 'INVALID_RECIPIENT:errors/invalid_recipient' });
    expect(await s.events('step_failed')).toHaveLength(1);
    expect(await s.ledger()).toBe(0);
  });
});
