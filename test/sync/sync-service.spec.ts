import { randomUUID } from 'node:crypto';
import { VirtualClock } from '../../src/core/clock';
import type { DomainError } from '../../src/core/errors';
import { createLogger } from '../../src/core/logger';
import { SyncAccountsRepository } from '../../src/modules/sync/sync-accounts.repository';
import type { RunProgress, SyncParams, SyncRunner } from '../../src/modules/sync/sync-progress';
import { SyncKind, SyncRun, SyncRunStatus } from '../../src/modules/sync/sync-run.entity';
import { SyncRunRepository } from '../../src/modules/sync/sync-run.repository';
import { SyncScopeRepository } from '../../src/modules/sync/sync-scope.repository';
import { SyncService } from '../../src/modules/sync/sync.service';
import { adminOf, noDatabase } from '../support/no-database';

// The rules of SyncService (a run's scope is the workspace's, a run runs once, its progress and
// outcome are written, the nightly backfills cover every workspace with senders) with in-memory
// repositories and runners: no database, no Unipile.

const WS = randomUUID();
const OTHER_WS = randomUUID();
const viewer = adminOf(WS);

class FakeRuns extends SyncRunRepository {
  readonly runs = new Map<string, SyncRun>();
  readonly progress: Array<{ id: string; processed: number; matched: number }> = [];
  constructor() {
    super(noDatabase);
  }
  override async create(workspaceId: string, kind: SyncKind, params: SyncParams) {
    const run = Object.assign(new SyncRun(), {
      id: randomUUID(),
      workspaceId,
      kind,
      params,
      status: SyncRunStatus.QUEUED,
      processed: 0,
      total: null,
      matched: 0,
      unmatched: 0,
      details: {},
      unmatchedSample: [],
      error: null,
      startedAt: null,
      finishedAt: null,
    });
    this.runs.set(run.id, run);
    return { ...run };
  }
  override async findInWorkspace(workspaceId: string, id: string) {
    const run = this.runs.get(id);
    return run && run.workspaceId === workspaceId ? { ...run } : null;
  }
  override async get(id: string) {
    const run = this.runs.get(id);
    if (!run) throw new Error(`no sync run ${id}`);
    return { ...run };
  }
  override async list(workspaceId: string) {
    return [...this.runs.values()].filter((r) => r.workspaceId === workspaceId);
  }
  override async claim(id: string, startedAt: Date) {
    const run = this.runs.get(id);
    if (run?.status !== SyncRunStatus.QUEUED) return false;
    Object.assign(run, { status: SyncRunStatus.RUNNING, startedAt });
    return true;
  }
  override async saveProgress(id: string, p: RunProgress) {
    this.progress.push({ id, processed: p.processed, matched: p.matched });
    Object.assign(this.runs.get(id)!, { processed: p.processed, total: p.total ?? null, matched: p.matched, unmatched: p.unmatched, details: p.details });
  }
  override async markSucceeded(id: string, finishedAt: Date) {
    Object.assign(this.runs.get(id)!, { status: SyncRunStatus.SUCCEEDED, finishedAt });
  }
  override async markFailed(id: string, error: string, finishedAt: Date) {
    Object.assign(this.runs.get(id)!, { status: SyncRunStatus.FAILED, error, finishedAt });
  }
}

class FakeScope extends SyncScopeRepository {
  readonly asked: string[] = [];
  constructor(private readonly owned: { campaigns: string[]; accounts: string[] }) {
    super(noDatabase);
  }
  override async campaignInWorkspace(workspaceId: string, campaignId: string) {
    this.asked.push(campaignId);
    return workspaceId === WS && this.owned.campaigns.includes(campaignId);
  }
  override async accountInWorkspace(workspaceId: string, accountId: string) {
    this.asked.push(accountId);
    return workspaceId === WS && this.owned.accounts.includes(accountId);
  }
}

class FakeAccounts extends SyncAccountsRepository {
  constructor(private readonly workspaces: string[]) {
    super(noDatabase);
  }
  override async workspacesWithSenders() {
    return this.workspaces;
  }
}

const done = (processed: number): RunProgress => ({ processed, matched: processed, unmatched: 0, details: {} });

function setup(opts: { runners?: Partial<Record<SyncKind, SyncRunner>>; owned?: { campaigns: string[]; accounts: string[] }; workspaces?: string[] } = {}) {
  const runs = new FakeRuns();
  const scope = new FakeScope(opts.owned ?? { campaigns: [], accounts: [] });
  const queued: string[] = [];
  const executed: Array<{ kind: SyncKind; workspaceId: string }> = [];
  const record: SyncRunner = async (run, report) => {
    executed.push({ kind: run.kind, workspaceId: run.workspaceId });
    await report(done(1));
    return done(2);
  };
  const runners: Record<SyncKind, SyncRunner> = {
    [SyncKind.HISTORICAL_CONNECTIONS]: record,
    [SyncKind.CONVERSATIONS]: record,
    [SyncKind.RATE_USAGE]: record,
    ...opts.runners,
  };
  const logged: string[] = [];
  const log = createLogger('error', { write: (line: string) => void logged.push(line) });
  const clock = new VirtualClock('2026-03-02T10:00:00.000Z');
  const queue = { enqueue: async (runId: string) => void queued.push(runId) };
  const service = new SyncService(runs, scope, new FakeAccounts(opts.workspaces ?? []), runners, queue, clock, log);
  return { service, runs, scope, queued, executed, logged, clock };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected the call to be refused');
}

describe(SyncService.name, () => {
  describe('start', () => {
    it('should queue a run scoped to a campaign and an account of the workspace', async () => {
      const campaignId = randomUUID();
      const accountId = randomUUID();
      const { service, queued, executed } = setup({ owned: { campaigns: [campaignId], accounts: [accountId] } });

      const run = await service.start(viewer, SyncKind.HISTORICAL_CONNECTIONS, { campaignId, accountId }, false);

      expect(run).toMatchObject({ workspaceId: WS, kind: SyncKind.HISTORICAL_CONNECTIONS, status: SyncRunStatus.QUEUED, params: { campaignId, accountId } });
      expect(queued).toEqual([run.id]);
      expect(executed).toEqual([]);
    });

    it("should refuse another workspace's campaign or account, and ids that are not UUIDs without asking, creating no run", async () => {
      const { service, runs, scope, queued } = setup({ owned: { campaigns: [], accounts: [] } });
      const foreign = randomUUID();

      const campaign = await refusal(service.start(viewer, SyncKind.CONVERSATIONS, { campaignId: foreign }, false));
      const account = await refusal(service.start(viewer, SyncKind.CONVERSATIONS, { accountId: foreign }, false));
      const malformed = await refusal(service.start(viewer, SyncKind.CONVERSATIONS, { accountId: "1' OR '1'='1" }, false));

      expect([campaign, account, malformed].map((e) => [e.code, e.message])).toEqual([
        ['NOT_FOUND', `Campaign ${foreign} not found`],
        ['NOT_FOUND', `Account ${foreign} not found`],
        ['NOT_FOUND', "Account 1' OR '1'='1 not found"],
      ]);
      expect(scope.asked).toEqual([foreign, foreign]);
      expect(runs.runs.size).toBe(0);
      expect(queued).toEqual([]);
    });

    it('should run in the request when the caller waits, reporting progress as it goes', async () => {
      const { service, runs, queued, clock } = setup();

      const run = await service.start(viewer, SyncKind.RATE_USAGE, {}, true);

      expect(run).toMatchObject({ status: SyncRunStatus.SUCCEEDED, processed: 2, matched: 2, startedAt: clock.now(), finishedAt: clock.now() });
      expect(runs.progress.map((p) => p.processed)).toEqual([1, 2]);
      expect(queued).toEqual([]);
    });
  });

  describe('execute', () => {
    it('should run a run once: a second execution finds it claimed and leaves it alone', async () => {
      const { service, runs, executed } = setup();
      const { id } = await runs.create(WS, SyncKind.CONVERSATIONS, {});

      const first = await service.execute(id);
      const second = await service.execute(id);

      expect(first.status).toBe(SyncRunStatus.SUCCEEDED);
      expect(second).toEqual(first);
      expect(executed).toHaveLength(1);
    });

    it('should mark a run FAILED with the reason when its runner throws, and log it', async () => {
      const { service, runs, logged } = setup({
        runners: {
          [SyncKind.HISTORICAL_CONNECTIONS]: async (_run, report) => {
            await report(done(5));
            throw new Error('Unipile answered 503');
          },
        },
      });
      const { id } = await runs.create(WS, SyncKind.HISTORICAL_CONNECTIONS, {});

      const run = await service.execute(id);

      expect(run).toMatchObject({ status: SyncRunStatus.FAILED, error: 'Unipile answered 503', processed: 5 });
      expect(logged.map((line) => JSON.parse(line) as { msg: string; runId: string })).toEqual([expect.objectContaining({ msg: 'sync run failed', runId: id })]);
    });
  });

  describe('nightly', () => {
    it('should run the conversation and rate-usage backfills of every workspace with senders', async () => {
      const { service, executed } = setup({ workspaces: [WS, OTHER_WS] });

      const runs = await service.nightly();

      expect(executed).toEqual([
        { kind: SyncKind.CONVERSATIONS, workspaceId: WS },
        { kind: SyncKind.RATE_USAGE, workspaceId: WS },
        { kind: SyncKind.CONVERSATIONS, workspaceId: OTHER_WS },
        { kind: SyncKind.RATE_USAGE, workspaceId: OTHER_WS },
      ]);
      expect(runs.map((r) => r.status)).toEqual(Array(4).fill(SyncRunStatus.SUCCEEDED));
    });
  });

  describe('get', () => {
    it("should not show another workspace's run", async () => {
      const { service, runs } = setup();
      const theirs = await runs.create(OTHER_WS, SyncKind.CONVERSATIONS, {});
      const ours = await runs.create(WS, SyncKind.CONVERSATIONS, {});

      const error = await refusal(service.get(viewer, theirs.id));

      expect(error.code).toBe('NOT_FOUND');
      expect((await service.get(viewer, ours.id)).id).toBe(ours.id);
    });
  });
});
