import type { Logger } from '../../core/logger';
import { NotFoundError } from '../../core/errors';
import { type UnipileClient, UnipileError, type UnipileWebhook } from '../unipile';
import type { WebhookSource } from './webhook-event.entity';
import { MANAGED_SOURCES, type WebhookTarget, expectedWebhook, isManaged, sourceOf, webhookProblems } from './webhook-expectations';
import { WebhookError } from './webhook.errors';
import type { EnsureWebhooksResult, UnipileWebhookView } from './webhook.types';

export type WebhookApi = Pick<UnipileClient, 'listAllWebhooks' | 'createWebhook' | 'deleteWebhook'>;

/**
 * Unipile's webhook registrations (tenant-wide: one per source covers every account). Webhooks
 * that are not ours (other URLs, other names) are listed and never touched.
 */
export class WebhookManagementService {
  private readonly log: Logger;

  constructor(
    private readonly unipile: WebhookApi,
    /** Our public base URL and secret; read when needed (the port is known once listening). */
    private readonly target: () => WebhookTarget,
    log: Logger,
  ) {
    this.log = log.child({ module: 'webhooks' });
  }

  async list(): Promise<UnipileWebhookView[]> {
    const target = this.target();
    return (await this.call(() => this.unipile.listAllWebhooks())).map((hook) => view(hook, target));
  }

  async register(source: WebhookSource): Promise<UnipileWebhookView> {
    const id = await this.call(() => this.unipile.createWebhook(expectedWebhook(source, this.target())));
    const created = (await this.list()).find((w) => w.id === id);
    if (!created) throw new WebhookError('UNIPILE_UNAVAILABLE', `Unipile did not list webhook ${id} after creating it`);
    return created;
  }

  async delete(id: string): Promise<boolean> {
    try {
      await this.call(() => this.unipile.deleteWebhook(id));
    } catch (error) {
      if (error instanceof UnipileError && error.code === 'NOT_FOUND') throw new NotFoundError('Webhook', id);
      throw error;
    }
    return true;
  }

  /**
   * Exactly one correct webhook of ours per source: the first correct one is kept, our other ones
   * (wrong URL, missing events or header, duplicates) are deleted, a missing one is created.
   * Run twice, the second run changes nothing.
   */
  async ensure(): Promise<EnsureWebhooksResult> {
    const target = this.target();
    const ours = (await this.call(() => this.unipile.listAllWebhooks())).filter((h) => isManaged(h, target));
    const result: Omit<EnsureWebhooksResult, 'webhooks'> = { created: [], deleted: [], kept: [] };
    for (const source of MANAGED_SOURCES) {
      const candidates = ours.filter((h) => sourceOf(h) === source);
      const keep = candidates.find((h) => webhookProblems(h, target).length === 0);
      for (const hook of candidates.filter((h) => h !== keep)) {
        this.log.info({ webhookId: hook.id, source, problems: webhookProblems(hook, target) }, 'deleting a misconfigured or duplicate webhook');
        await this.call(() => this.unipile.deleteWebhook(hook.id));
        result.deleted.push(hook.id);
      }
      if (keep) result.kept.push(keep.id);
      else result.created.push(await this.call(() => this.unipile.createWebhook(expectedWebhook(source, target))));
    }
    for (const hook of ours.filter((h) => sourceOf(h) === undefined)) {
      await this.call(() => this.unipile.deleteWebhook(hook.id));
      result.deleted.push(hook.id);
    }
    return { ...result, webhooks: await this.list() };
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof UnipileError && error.code !== 'NOT_FOUND') {
        throw new WebhookError('UNIPILE_UNAVAILABLE', `Unipile could not answer: ${error.message}`, { unipileCode: error.code });
      }
      throw error;
    }
  }
}

function view(hook: UnipileWebhook, target: WebhookTarget): UnipileWebhookView {
  const managed = isManaged(hook, target);
  return {
    id: hook.id,
    name: hook.name ?? null,
    source: sourceOf(hook) ?? hook.source ?? null,
    requestUrl: hook.request_url,
    enabled: hook.enabled,
    events: hook.events ?? [],
    accountIds: hook.account_ids.map((a) => a.id),
    headerKeys: hook.headers.map((h) => h.key),
    managed,
    problems: managed ? webhookProblems(hook, target) : [],
  };
}
