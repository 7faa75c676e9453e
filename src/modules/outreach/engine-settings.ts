// Tunables of the sequence engine (from configuration; tests and simulations pass their own).
export type EngineSettings = {
  /** Minimum time between two scheduled actions of one account. */
  minGapMs: number;
  /** Random extra spacing added after the minimum gap, so actions do not look machine-timed. */
  jitterMs: number;
  /** How long an account rests after Unipile answers rate-limited. */
  cooldownMs: number;
  /** After this long in `sending`, an execution is taken to have crashed and is reconciled. */
  leaseMs: number;
  /** Attempts of one step whose outcome stays unknown (timeouts, 5xx) before it fails. */
  maxAttempts: number;
  /** First retry delay after an unknown outcome; each further retry waits four times longer. */
  retryBaseMs: number;
  /** Leads at most looked at per account and kind in one scan (the due set is bounded). */
  scanBatch: number;
  /**
   * Accounts scanned at once by one scan (each in its own transaction under its row lock). Above 1
   * the pacing jitter is drawn in no fixed order; simulations use it, the service scans one by one.
   */
  scanConcurrency?: number;
};

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  minGapMs: 90_000,
  jitterMs: 120_000,
  cooldownMs: 4 * 3_600_000,
  leaseMs: 120_000,
  maxAttempts: 5,
  retryBaseMs: 60_000,
  scanBatch: 500,
};

/** Schedules the execution of a step at a time: Agenda in the service, a queue in simulations. */
export type ExecutionScheduler = { scheduleExecution(executionId: string, at: Date): Promise<void> };
