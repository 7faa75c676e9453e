import type { Agenda, JobState, JobWithState, JobsOverview } from 'agenda';
import type {
  ApiResponse,
  CreateJobResponse,
  DeleteResponse,
  FrontendJob,
  FrontendOverview,
  PauseResponse,
  RequeueResponse,
  ResumeResponse,
  RetryResponse,
} from 'agendash';
import { InputError } from '../../core/errors';
import type { Actor, AuditLogService } from './audit-log.service';

const JOB_STATES: readonly JobState[] = ['running', 'scheduled', 'queued', 'completed', 'failed', 'repeating', 'paused'];
const MAX_IDS = 100;
const MAX_LIMIT = 200;
const MAX_TEXT = 200;
const MAX_DATA_BYTES = 64 * 1024;
const ID_PATTERNS = {
  // @agendajs/postgres-backend ids are uuids (a malformed one is a Postgres cast error, not a miss).
  postgres: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  mongodb: /^[0-9a-f]{24}$/i,
} as const;

export type JobListQuery = { name?: string; state?: JobState; search?: string; skip: number; limit: number };
export type CreateJobInput = { jobName: string; jobSchedule?: string; jobRepeatEvery?: string; jobData?: Record<string, unknown> };

/**
 * The server side of the Agendash 8 dashboard (its UI is served from the agendash package): the
 * same JSON contract and the same backend-agnostic Agenda 6 calls as agendash's AgendashController
 * (queryJobs, getJobsOverview, now, every, schedule, cancel, disable, enable, db.saveJob), with
 * validated input, creation limited to the job names this process defines, and every change
 * written to the audit log. Jobs are instance-wide: an instance operator sees and changes all.
 */
export class JobDashboardService {
  private readonly idPattern: RegExp;

  constructor(
    private readonly agenda: Agenda,
    private readonly audit: AuditLogService,
    jobStore: keyof typeof ID_PATTERNS,
  ) {
    this.idPattern = ID_PATTERNS[jobStore];
  }

  async list(query: JobListQuery): Promise<ApiResponse> {
    const [overview, result] = await Promise.all([
      this.agenda.getJobsOverview(),
      this.agenda.queryJobs({ name: query.name, state: query.state, search: query.search, skip: query.skip, limit: query.limit, sort: { nextRunAt: 'desc' } }),
    ]);
    return {
      overview: overviewRows(overview),
      jobs: result.jobs.map(frontendJob),
      total: result.total,
      totalPages: Math.ceil(result.total / query.limit) || 1,
    };
  }

  /** Runs each job again as a new one-off job with the same name and data (the original stays). */
  requeue(actor: Actor, ids: string[]): Promise<RequeueResponse> {
    return this.audit.run(actor, 'jobDashboard.requeue', { jobIds: ids }, async () => {
      const jobs = await this.find(ids);
      for (const job of jobs) await this.agenda.now(job.name, job.data);
      return { requeuedCount: jobs.length };
    });
  }

  /** Makes each job due now again, clearing its failure (the same job row). */
  retry(actor: Actor, ids: string[]): Promise<RetryResponse> {
    return this.audit.run(actor, 'jobDashboard.retry', { jobIds: ids }, async () => {
      const jobs = await this.find(ids);
      for (const { state: _state, ...job } of jobs) {
        await this.agenda.db.saveJob(
          { ...job, nextRunAt: new Date(), lockedAt: undefined, failedAt: undefined, failReason: undefined, failCount: undefined },
          { lastModifiedBy: 'job-dashboard' },
        );
      }
      return { retriedCount: jobs.length };
    });
  }

  delete(actor: Actor, ids: string[]): Promise<DeleteResponse> {
    return this.audit.run(actor, 'jobDashboard.delete', { jobIds: ids }, async () => {
      const deletedCount = await this.agenda.cancel({ ids });
      return { deleted: deletedCount > 0, deletedCount };
    });
  }

  pause(actor: Actor, ids: string[]): Promise<PauseResponse> {
    return this.audit.run(actor, 'jobDashboard.pause', { jobIds: ids }, async () => ({ pausedCount: await this.agenda.disable({ ids }) }));
  }

  resume(actor: Actor, ids: string[]): Promise<ResumeResponse> {
    return this.audit.run(actor, 'jobDashboard.resume', { jobIds: ids }, async () => ({ resumedCount: await this.agenda.enable({ ids }) }));
  }

  /** Now, at a time (`jobSchedule`, e.g. "in 10 minutes") or repeating (`jobRepeatEvery`, an interval or cron). */
  create(actor: Actor, input: CreateJobInput): Promise<CreateJobResponse> {
    const target = {
      jobName: input.jobName,
      jobSchedule: input.jobSchedule ?? null,
      jobRepeatEvery: input.jobRepeatEvery ?? null,
      dataKeys: Object.keys(input.jobData ?? {}),
    };
    return this.audit.run(actor, 'jobDashboard.create', target, async () => {
      if (!Object.hasOwn(this.agenda.definitions, input.jobName)) {
        throw new InputError(`No job named ${input.jobName} is defined here`, { jobName: input.jobName });
      }
      if (input.jobSchedule !== undefined && Number.isNaN(parseWhen(input.jobSchedule))) {
        throw new InputError('jobSchedule must be a date or a time such as "in 10 minutes"');
      }
      if (input.jobRepeatEvery) {
        // Agenda would save an unparseable interval as a failed job, replacing the name's repeating
        // job (every() upserts one per name): try it on an unsaved job first.
        const probe = this.agenda.create(input.jobName).repeatEvery(input.jobRepeatEvery);
        if (probe.attrs.failReason || !probe.attrs.nextRunAt) {
          throw new InputError('jobRepeatEvery must be an interval such as "5 minutes" or a cron expression');
        }
        await this.agenda.every(input.jobRepeatEvery, input.jobName, input.jobData);
      } else if (input.jobSchedule) {
        await this.agenda.schedule(input.jobSchedule, input.jobName, input.jobData);
      } else {
        await this.agenda.now(input.jobName, input.jobData);
      }
      return { created: true };
    });
  }

  /** The JSON agendash's /api/stats answers: this process's job processor (running, locked, queued). */
  stats(fullDetails: boolean): Promise<unknown> {
    return this.agenda.getRunningStats(fullDetails);
  }

  parseIds(body: unknown): string[] {
    const ids = (body as { jobIds?: unknown } | null)?.jobIds;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_IDS || !ids.every((id) => typeof id === 'string' && this.idPattern.test(id))) {
      throw new InputError(`jobIds must be a list of 1 to ${MAX_IDS} job ids`);
    }
    return [...new Set(ids as string[])];
  }

  private async find(ids: string[]): Promise<JobWithState[]> {
    return (await this.agenda.queryJobs({ ids })).jobs;
  }
}

export function parseListQuery(query: Record<string, unknown>): JobListQuery {
  const text = (key: string): string | undefined => {
    const value = query[key];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string' || value.length > MAX_TEXT) throw new InputError(`${key} must be text of at most ${MAX_TEXT} characters`);
    return value;
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const value = text(key);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new InputError(`${key} must be a whole number from ${min} to ${max}`);
    return Number(value);
  };
  const state = text('state');
  if (state !== undefined && !JOB_STATES.includes(state as JobState)) throw new InputError(`state must be one of ${JOB_STATES.join(', ')}`);
  return {
    name: text('job'),
    state: state as JobState | undefined,
    search: text('q'),
    skip: int('skip', 0, 0, 1_000_000),
    limit: int('limit', 50, 1, MAX_LIMIT),
  };
}

export function parseCreate(body: unknown): CreateJobInput {
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const text = (key: string, required: boolean): string | undefined => {
    const value = b[key];
    if ((value === undefined || value === null || value === '') && !required) return undefined;
    if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT) {
      throw new InputError(`${key} must be ${required ? '' : 'empty or '}text of 1 to ${MAX_TEXT} characters`);
    }
    return value.trim();
  };
  const jobName = text('jobName', true)!;
  const jobSchedule = text('jobSchedule', false);
  const jobRepeatEvery = text('jobRepeatEvery', false);
  let jobData: Record<string, unknown> | undefined;
  if (b.jobData !== undefined && b.jobData !== null && b.jobData !== '') {
    // The dashboard's form sends the data as it was typed (an object, or JSON text).
    const data = typeof b.jobData === 'string' ? parseJson(b.jobData) : b.jobData;
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new InputError('jobData must be a JSON object');
    if (JSON.stringify(data).length > MAX_DATA_BYTES) throw new InputError(`jobData must be at most ${MAX_DATA_BYTES} bytes`);
    jobData = data as Record<string, unknown>;
  }
  return { jobName, jobSchedule, jobRepeatEvery, jobData };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError('jobData must be a JSON object');
  }
}

// Agenda's own parsing of a `when` (a date, or human text via date.js) happens inside schedule();
// an ISO/RFC date is checked here, anything else is left to Agenda and checked by its result.
function parseWhen(value: string): number {
  return /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : 0;
}

function frontendJob(job: JobWithState): FrontendJob {
  return {
    job: {
      _id: String(job._id),
      name: job.name,
      data: job.data,
      priority: job.priority,
      nextRunAt: job.nextRunAt,
      lastRunAt: job.lastRunAt,
      lastFinishedAt: job.lastFinishedAt,
      lockedAt: job.lockedAt,
      failedAt: job.failedAt,
      failCount: job.failCount,
      failReason: job.failReason,
      repeatInterval: job.repeatInterval,
      repeatTimezone: job.repeatTimezone,
      disabled: job.disabled,
      progress: job.progress,
    },
    running: job.state === 'running',
    scheduled: job.state === 'scheduled',
    queued: job.state === 'queued',
    completed: job.state === 'completed',
    failed: job.state === 'failed',
    repeating: job.state === 'repeating',
    paused: job.disabled === true,
  };
}

function overviewRows(overviews: JobsOverview[]): FrontendOverview[] {
  const keys = ['total', 'running', 'scheduled', 'queued', 'completed', 'failed', 'repeating', 'paused'] as const;
  const all: FrontendOverview = { displayName: 'All Jobs', total: 0, running: 0, scheduled: 0, queued: 0, completed: 0, failed: 0, repeating: 0, paused: 0 };
  for (const o of overviews) for (const k of keys) all[k] += o[k];
  return [all, ...overviews.map((o) => ({ displayName: o.name, ...Object.fromEntries(keys.map((k) => [k, o[k]])) }) as FrontendOverview)];
}
