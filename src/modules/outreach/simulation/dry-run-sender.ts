import { type SequenceStep, StepKind } from '../../campaigns';
import { classifyUnipileFailure, SandboxHttpError, type SandboxWorld } from '../../unipile';
import type { DryExecution } from './dry-run-state';

/** What LinkedIn made of a step, in the terms StepOutcomes acts on. */
export type SendResult =
  | { outcome: 'sent'; chatId: string | null }
  /** The recipient cannot be reached (StepOutcomes.failLead with the code). */
  | { outcome: 'failed'; reason: string }
  | { outcome: 'rate-limited' | 'already-invited' | 'already-connected' };

/**
 * A dry run's sends, to the sandbox's LinkedIn in-process: the calls StepSender makes over HTTP
 * (a profile look-up before an invite, a message into the existing chat or a new one), and
 * LinkedIn's refusals classified as UnipileClient classifies them.
 */
export class DryRunSender {
  constructor(private readonly world: SandboxWorld) {}

  send({ lead, account }: DryExecution, step: SequenceStep, text: string | null): SendResult {
    const { linkedin, store } = this.world;
    const providerId = lead.providerId!;
    try {
      if (step.kind === StepKind.INVITE) {
        linkedin.viewProfile(account.remoteId, providerId);
        if (store.relationOf(account.remoteId, providerId)) return { outcome: 'already-connected' };
        linkedin.sendInvitation(account.remoteId, providerId, text ?? undefined);
        return { outcome: 'sent', chatId: null };
      }
      const chatId = lead.chatId ?? store.chatWith(account.remoteId, providerId)?.id;
      if (chatId) {
        linkedin.sendMessage(chatId, text ?? undefined, account.remoteId);
        return { outcome: 'sent', chatId };
      }
      return { outcome: 'sent', chatId: linkedin.startChat(account.remoteId, [providerId], text ?? undefined, false).chat.id };
    } catch (error) {
      if (!(error instanceof SandboxHttpError)) throw error;
      const { status, type } = error.body;
      const code = classifyUnipileFailure(status, type);
      switch (code) {
        case 'RATE_LIMITED':
          return { outcome: 'rate-limited' };
        case 'ALREADY_INVITED':
          return { outcome: 'already-invited' };
        case 'INVALID_RECIPIENT':
        case 'NOT_FOUND':
        case 'BAD_REQUEST':
          return { outcome: 'failed', reason: `${code}:${type}` };
        default:
          // Disconnections and outages come from faults and account changes, which a dry run's LinkedIn never has.
          throw new Error(`The dry run's LinkedIn answered ${code} (${type})`);
      }
    }
  }
}
