import type { SeededRandom } from './sandbox-random';

/** Which API calls a fault applies to; every given field must match. */
export type FaultMatch = {
  method?: string;
  /** A route pattern as registered, e.g. `/api/v1/users/invite` or `/api/v1/chats/:chat_id/messages`. */
  route?: string;
  accountId?: string;
};

type Frequency = {
  /** Affect only this many matching calls, then the rule is spent. */
  times?: number;
  /** Probability (0..1) that a matching call is affected, rolled on the seeded fault stream. */
  rate?: number;
};

export type HttpFault =
  /** 429 errors/too_many_requests. */
  | { kind: 'rate_limited' }
  /** 500 errors/unexpected_error. */
  | { kind: 'server_error' }
  /** 503 errors/service_unavailable. */
  | { kind: 'unavailable' }
  /** 401 errors/disconnected_account for this call only (see setAccountStatus for a lasting one). */
  | { kind: 'disconnected' }
  /** Any Unipile error body. */
  | { kind: 'error'; status: number; type: string; title?: string; detail?: string }
  /** Waits, then handles the call normally. */
  | { kind: 'slow'; delayMs: number }
  /** Handles the call (its effect happens) but never answers: the client has to time out. */
  | { kind: 'timeout' }
  /** Never handles the call (it is lost on the way, nothing happens) and never answers: the client has to time out. */
  | { kind: 'hang' };

/** One possible outcome of a `mix` rule, drawn in proportion to its weight (default 1). */
export type MixedFault = HttpFault & { weight?: number };

/**
 * A probabilistic mix: each matching call is affected with probability `rate` (every call without
 * one), and an affected call gets one of `faults`, drawn by weight. Both rolls are on the seeded
 * fault stream, so the same seed and the same calls give the same faults.
 */
export type MixFaultRule = { kind: 'mix'; faults: MixedFault[] } & Frequency & { match?: FaultMatch };

export type WebhookFault =
  /** The delivery is sent twice. */
  | { kind: 'webhook_duplicate' }
  /** The delivery is held back and sent after the next one to the same webhook. */
  | { kind: 'webhook_reorder' };

export type HttpFaultRule = (HttpFault & Frequency & { match?: FaultMatch }) | MixFaultRule;
export type WebhookFaultRule = WebhookFault & Frequency & { match?: { event?: string; webhookId?: string } };
export type FaultRule = HttpFaultRule | WebhookFaultRule;
export type ActiveFault = FaultRule & {
  id: number;
  hits: number;
  /** For a `mix` rule: affected calls per fault kind drawn. */
  hitsByKind?: Partial<Record<HttpFault['kind'], number>>;
};

export type HttpCall = { method: string; route: string; accountId?: string };

const isWebhookRule = (rule: FaultRule): rule is WebhookFaultRule =>
  rule.kind === 'webhook_duplicate' || rule.kind === 'webhook_reorder';

/** Fault rules, first match wins. Rates roll on their own seeded stream, so runs repeat. */
export class SandboxFaults {
  private rules: ActiveFault[] = [];
  private seq = 0;

  constructor(private readonly rng: SeededRandom) {}

  add(rule: FaultRule): number {
    if (rule.kind === 'mix' && (rule.faults.length === 0 || rule.faults.some((f) => f.weight !== undefined && !(f.weight > 0)))) {
      throw new Error('A mix needs at least one fault, each with a positive weight');
    }
    const id = ++this.seq;
    this.rules.push({ ...rule, id, hits: 0 });
    return id;
  }

  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): ActiveFault[] {
    return this.rules.map((r) => ({ ...r, ...(r.hitsByKind ? { hitsByKind: { ...r.hitsByKind } } : {}) }));
  }

  forCall(call: HttpCall): HttpFault | null {
    const rule = this.take(
      (r): r is ActiveFault & HttpFaultRule =>
        !isWebhookRule(r) &&
        (!r.match?.method || r.match.method.toUpperCase() === call.method) &&
        (!r.match?.route || r.match.route === call.route) &&
        (!r.match?.accountId || r.match.accountId === call.accountId),
    );
    if (rule?.kind !== 'mix') return rule;
    const picked = this.draw(rule.faults);
    rule.hitsByKind = { ...rule.hitsByKind, [picked.kind]: (rule.hitsByKind?.[picked.kind] ?? 0) + 1 };
    return picked;
  }

  forDelivery(event: string, webhookId: string): WebhookFault | null {
    return this.take(
      (r): r is ActiveFault & WebhookFaultRule =>
        isWebhookRule(r) && (!r.match?.event || r.match.event === event) && (!r.match?.webhookId || r.match.webhookId === webhookId),
    );
  }

  /** One fault of a mix, by weight, without its weight. */
  private draw(faults: MixedFault[]): HttpFault {
    const total = faults.reduce((sum, f) => sum + (f.weight ?? 1), 0);
    let roll = this.rng.next() * total;
    let picked = faults[faults.length - 1];
    for (const fault of faults) {
      roll -= fault.weight ?? 1;
      if (roll < 0) {
        picked = fault;
        break;
      }
    }
    const { weight: _weight, ...fault } = picked;
    return fault as HttpFault;
  }

  private take<R extends ActiveFault>(matches: (rule: ActiveFault) => rule is R): R | null {
    for (const rule of this.rules) {
      if (!matches(rule)) continue;
      if (rule.rate !== undefined && !this.rng.chance(rule.rate)) continue;
      rule.hits++;
      if (rule.times !== undefined && rule.hits >= rule.times) this.remove(rule.id);
      return rule;
    }
    return null;
  }
}
