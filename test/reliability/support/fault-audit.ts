import type { UnipileSandbox } from '../../../src/modules/unipile/sandbox/sandbox';
import type { RequestLogEntry } from '../../../src/modules/unipile/sandbox/sandbox-http';
import type { ExecuteStepService, ExecutionResult } from '../../../src/modules/outreach/execute-step.service';
import type { VirtualClock } from '../../../src/core/clock';

// What the fault suite reads back: the sandbox's request log (the calls that reached "Unipile",
// with the virtual time of each) tied to the engine's step executions that made them.

/** Calls that act on LinkedIn (an invitation, a new chat, a message): the sends. */
export const SEND_ROUTES = new Set(['/api/v1/users/invite', '/api/v1/chats', '/api/v1/chats/:chat_id/messages']);

export const isSend = (r: RequestLogEntry) => r.method === 'POST' && SEND_ROUTES.has(r.route);

/** The Unipile account a logged call was for: its account_id, or the account of the chat in its path. */
export function accountOf(sandbox: UnipileSandbox, r: RequestLogEntry): string | undefined {
  if (r.accountId) return r.accountId;
  const chat = /^\/api\/v1\/chats\/([^/]+)/.exec(r.path)?.[1];
  return chat ? sandbox.store.chats.get(decodeURIComponent(chat))?.accountId : undefined;
}

export type ExecutionCall = {
  executionId: string;
  /** Virtual time of the call (the clock does not move while an execution runs). */
  at: number;
  result: ExecutionResult;
  /** The sandbox calls it made: request log entries [from, to). */
  from: number;
  to: number;
  /** The execution row after the call. */
  state: string;
  attempts: number;
  scheduledFor: number;
  lastError: string | null;
};

/**
 * Wraps the engine's executor (the SimulationRunner calls it one execution at a time), recording
 * each call with the sandbox requests it made and the execution row it left.
 */
export function recordExecutions(
  executor: ExecuteStepService,
  sandbox: UnipileSandbox,
  clock: VirtualClock,
  row: (id: string) => Promise<{ state: string; attempts: number; scheduled_for: Date; last_error: string | null }>,
): ExecutionCall[] {
  const calls: ExecutionCall[] = [];
  const original = executor.execute.bind(executor);
  executor.execute = async (executionId: string) => {
    const from = sandbox.requests().length;
    const at = clock.now().getTime();
    const result = await original(executionId);
    const after = await row(executionId);
    calls.push({
      executionId,
      at,
      result,
      from,
      to: sandbox.requests().length,
      state: after.state,
      attempts: after.attempts,
      scheduledFor: after.scheduled_for.getTime(),
      lastError: after.last_error,
    });
    return result;
  };
  return calls;
}
