import type { SyncRun, UnmatchedRelation } from './sync-run.entity';

/** What a run has done so far; written to its sync_run row as it goes. */
export type RunProgress = {
  processed: number;
  total?: number | null;
  matched: number;
  unmatched: number;
  details: Record<string, unknown>;
  unmatchedSample?: UnmatchedRelation[];
};

export type ProgressReporter = (progress: RunProgress) => Promise<void>;

/** One kind of sync: does the work of a run, reporting as it goes, and returns the final counts. */
export type SyncRunner = (run: SyncRun, report: ProgressReporter) => Promise<RunProgress>;

/** The scope a run was asked for (validated against the workspace before it is queued). */
export type SyncParams = { campaignId?: string; accountId?: string; days?: number };
