import { AccountStatus } from '../accounts';

// Unipile's account status webhook values (unipile-api.md §6.6) and what they do to a sender.
const PAUSING = new Set(['CREDENTIALS', 'ERROR', 'STOPPED', 'DELETED']);
const RESUMING = new Set(['OK', 'RECONNECTED']);

export type AccountStatusChange = { status: AccountStatus; statusReason: string | null; outcome: 'ACCOUNT_PAUSED' | 'ACCOUNT_RESUMED' };

/**
 * A broken connection stops an ACTIVE sender (DISCONNECTED, with Unipile's status as the reason);
 * OK/RECONNECTED resumes a DISCONNECTED one. An operator's PAUSED and a RESTRICTED account are
 * left alone: a reconnection does not lift either. CONNECTING, CREATION_SUCCESS, SYNC_SUCCESS:
 * nothing to do.
 */
export function accountStatusChange(message: string, current: AccountStatus): AccountStatusChange | undefined {
  if (PAUSING.has(message) && (current === AccountStatus.ACTIVE || current === AccountStatus.DISCONNECTED)) {
    return { status: AccountStatus.DISCONNECTED, statusReason: `Unipile account status ${message}`, outcome: 'ACCOUNT_PAUSED' };
  }
  if (RESUMING.has(message) && current === AccountStatus.DISCONNECTED) {
    return { status: AccountStatus.ACTIVE, statusReason: null, outcome: 'ACCOUNT_RESUMED' };
  }
  return undefined;
}
