import type { UnipileSandbox } from '../../src/modules/unipile/sandbox/sandbox';
import { admin, api, clientFor, startTestSandbox } from './support/harness';

// The probabilistic fault mode (`mix`: fail X% of calls with a weighted mix of faults, seeded) and
// the `hang` fault (a call lost before it took effect), as the reliability suites use them.
describe('Unipile sandbox: fault mixes and lost calls', () => {
  let sandbox: UnipileSandbox;
  let accountId: string;

  beforeEach(async () => {
    sandbox = await startTestSandbox();
    accountId = sandbox.accounts()[0].id;
  });
  afterEach(() => sandbox.stop());

  const MIX = {
    kind: 'mix',
    rate: 0.4,
    match: { route: '/api/v1/accounts' },
    faults: [
      { kind: 'server_error', weight: 3 },
      { kind: 'rate_limited', weight: 1 },
      { kind: 'unavailable' },
    ],
  } as const;

  async function pattern(s: UnipileSandbox): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await api(s, 'GET', '/accounts')).status);
    return statuses;
  }

  it('should fail about the given share of matching calls with the weighted mix, set over the admin surface', async () => {
    const added = await admin<{ id: number }>(sandbox, 'POST', '/faults', MIX);
    expect(added.status).toBe(200);
    const statuses = await pattern(sandbox);
    const count = (status: number) => statuses.filter((s) => s === status).length;
    const failed = statuses.length - count(200);
    expect(failed).toBeGreaterThanOrEqual(12); // 40% of 60 = 24, give or take
    expect(failed).toBeLessThanOrEqual(36);
    expect(count(500)).toBeGreaterThan(count(429)); // weight 3 against 1
    expect(count(500) + count(429) + count(503)).toBe(failed);
    expect((await api(sandbox, 'GET', '/webhooks')).status).toBe(200); // not matched

    const [rule] = (await admin<Array<{ id: number; hits: number; hitsByKind: Record<string, number> }>>(sandbox, 'GET', '/faults')).body;
    expect(rule).toMatchObject({ id: added.body.id, kind: 'mix', hits: failed });
    expect(rule.hitsByKind).toEqual({ server_error: count(500), rate_limited: count(429), ...(count(503) ? { unavailable: count(503) } : {}) });
    const log = sandbox.requests({ route: '/api/v1/accounts' });
    expect(log.filter((r) => r.fault).map((r) => r.fault)).toEqual(log.filter((r) => r.status !== 200).map((r) => r.fault));
  });

  it('should repeat the same faults for the same seed and calls', async () => {
    sandbox.faults.add(MIX as never);
    const first = await pattern(sandbox);
    const twin = await startTestSandbox();
    try {
      twin.faults.add(MIX as never);
      expect(await pattern(twin)).toEqual(first);
    } finally {
      await twin.stop();
    }
  });

  it('should refuse a mix without faults or with a weight that is not positive', async () => {
    expect((await admin(sandbox, 'POST', '/faults', { kind: 'mix', rate: 0.2, faults: [] })).status).toBe(400);
    expect((await admin(sandbox, 'POST', '/faults', { kind: 'mix', faults: [{ kind: 'server_error', weight: 0 }] })).status).toBe(400);
    expect((await admin(sandbox, 'POST', '/faults', { kind: 'mix', faults: [{ kind: 'mix', faults: [] }] })).status).toBe(400);
    expect(() => sandbox.faults.add({ kind: 'mix', faults: [] })).toThrow(/at least one fault/);
    expect(sandbox.faults.list()).toEqual([]);
  });

  it('should lose a hung call (no invitation, no answer) but apply a timed-out one', async () => {
    const client = clientFor(sandbox, { timeoutMs: 300 });
    const [first, second] = sandbox.prospects().filter((p) => !sandbox.store.relationOf(accountId, p.providerId));
    const invite = { method: 'POST', route: '/api/v1/users/invite' };

    sandbox.faults.add({ kind: 'hang', times: 1, match: invite });
    await expect(client.sendInvitation(accountId, { providerId: first.providerId })).rejects.toMatchObject({ code: 'TEMPORARY' });
    expect(sandbox.sentInvitations(accountId)).toEqual([]);

    sandbox.faults.add({ kind: 'timeout', times: 1, match: invite });
    await expect(client.sendInvitation(accountId, { providerId: second.providerId })).rejects.toMatchObject({ code: 'TEMPORARY' });
    expect(sandbox.sentInvitations(accountId).map((i) => i.toProviderId)).toEqual([second.providerId]);

    expect(sandbox.requests(invite).map((r) => [r.fault, r.status])).toEqual([
      ['hang', null],
      ['timeout', 200],
    ]);
  });
});
