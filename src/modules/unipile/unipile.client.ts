import { setTimeout as sleep } from 'node:timers/promises';
import got, { RequestError, type Got } from 'got';
import type { z } from 'zod';
import type { Logger } from '../../core/logger';
import { UnipileError, unipileHttpError, unipileNetworkError } from './unipile.errors';
import {
  accountListSchema,
  accountSchema,
  chatListSchema,
  chatStartedSchema,
  chatWithLastMessageSchema,
  errorBodySchema,
  messageListSchema,
  messageSentSchema,
  objectOnlySchema,
  ownProfileSchema,
  sentInvitationListSchema,
  userProfileSchema,
  userRelationListSchema,
  invitationSentResultSchema,
  webhookCreatedSchema,
  webhookListSchema,
  type Page,
  type UnipileAccountList,
  type UnipileAccount,
  type UnipileChat,
  type UnipileChatStarted,
  type UnipileChatWithLastMessage,
  type UnipileInvitationSentResult,
  type UnipileMessage,
  type UnipileMessageSent,
  type UnipileOwnProfile,
  type UnipileSentInvitation,
  type UnipileUserProfile,
  type UnipileUserRelation,
  type UnipileWebhook,
  type UnipileWebhookSource,
} from './unipile.schemas';

export type UnipileRetryOptions = {
  /** Extra attempts for idempotent reads that fail with TEMPORARY (default 2). Sends never retry. */
  limit?: number;
  /** First backoff delay; doubles each attempt, with jitter (default 250 ms). */
  baseDelayMs?: number;
  maxDelayMs?: number;
};

export type UnipileClientOptions = {
  /** Base URL from the Unipile dashboard, e.g. `https://api1.unipile.com:13111` (a bare host gets https). */
  dsn: string;
  apiKey: string;
  /** Whole-request timeout for every call (default 30 s); a timeout maps to TEMPORARY. */
  timeoutMs?: number;
  retry?: UnipileRetryOptions;
  logger?: Logger;
  /** Told about every attempt (metrics): `outcome` is `ok` or the error code. */
  onCall?: (call: UnipileCallRecord) => void;
};

export type UnipileCallRecord = { operation: string; method: string; outcome: string; ms: number };

export type PageParams = { cursor?: string; limit?: number };
export type ChatListParams = PageParams & {
  accountId?: string;
  /** ISO 8601 UTC bounds on last activity, exclusive. */
  before?: string;
  after?: string;
  unread?: boolean;
};
export type MessageListParams = PageParams & { before?: string; after?: string; senderId?: string };
export type ProfileLookup = { publicIdentifier: string } | { providerId: string };
export type SendInvitationInput = { providerId: string; message?: string };
export type StartChatInput = {
  /** LinkedIn member ids (`ACoAA…`), not public slugs. */
  attendeeProviderIds: string[];
  text: string;
  /** `classic` unless told otherwise. */
  api?: 'classic' | 'recruiter' | 'sales_navigator';
  inmail?: boolean;
};
export type CreateWebhookInput = {
  requestUrl: string;
  source: UnipileWebhookSource;
  name?: string;
  /** Omit for all current and future accounts. */
  accountIds?: string[];
  enabled?: boolean;
  headers?: Array<{ key: string; value: string }>;
  events?: string[];
};

/** LinkedIn refuses invitation notes longer than this. */
export const INVITATION_NOTE_MAX_LENGTH = 300;

type Method = 'GET' | 'POST' | 'DELETE';
type Query = Record<string, string | number | boolean | undefined>;
type Call<S extends z.ZodType> = {
  operation: string;
  method: Method;
  path: string;
  query?: Query;
  json?: unknown;
  form?: FormData;
  schema: S;
};

/**
 * Typed access to the Unipile v1 REST API. Every failure surfaces as a UnipileError whose code the
 * engine acts on. Only idempotent reads are retried (on TEMPORARY); a send that timed out may
 * still have reached LinkedIn, so it is reported, never repeated here.
 */
export class UnipileClient {
  private readonly http: Got;
  private readonly retryLimit: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly log?: Logger;
  private readonly onCall?: (call: UnipileCallRecord) => void;

  constructor(options: UnipileClientOptions) {
    this.onCall = options.onCall;
    this.retryLimit = options.retry?.limit ?? 2;
    this.baseDelayMs = options.retry?.baseDelayMs ?? 250;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 5_000;
    this.log = options.logger?.child({ module: 'unipile' });
    this.http = got.extend({
      prefixUrl: apiBaseUrl(options.dsn),
      headers: { 'X-API-KEY': options.apiKey, accept: 'application/json' },
      timeout: { request: options.timeoutMs ?? 30_000 },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
    });
  }

  // ── accounts ────────────────────────────────────────────────────────────────

  listAccounts(params: PageParams = {}): Promise<UnipileAccountList> {
    return this.call({ operation: 'listAccounts', method: 'GET', path: 'accounts', query: pageQuery(params), schema: accountListSchema });
  }

  getAccount(accountId: string): Promise<UnipileAccount> {
    return this.call({ operation: 'getAccount', method: 'GET', path: `accounts/${enc(accountId)}`, schema: accountSchema });
  }

  // ── users ───────────────────────────────────────────────────────────────────

  /** A LinkedIn profile by public slug (`julien-crepieux`) or member id (`ACoAA…`). Counts as a profile visit. */
  getProfile(accountId: string, who: ProfileLookup | string): Promise<UnipileUserProfile> {
    const identifier = typeof who === 'string' ? who : 'providerId' in who ? who.providerId : who.publicIdentifier;
    return this.call({
      operation: 'getProfile',
      method: 'GET',
      path: `users/${enc(identifier)}`,
      query: { account_id: accountId },
      schema: userProfileSchema,
    });
  }

  /** The account owner's own profile; `provider_id` is the owner's member id. */
  getOwnProfile(accountId: string): Promise<UnipileOwnProfile> {
    return this.call({ operation: 'getOwnProfile', method: 'GET', path: 'users/me', query: { account_id: accountId }, schema: ownProfileSchema });
  }

  /** One page of 1st-degree connections, most recently added first. */
  listRelations(accountId: string, params: PageParams & { filter?: string } = {}): Promise<Page<UnipileUserRelation>> {
    return this.call({
      operation: 'listRelations',
      method: 'GET',
      path: 'users/relations',
      query: { account_id: accountId, ...pageQuery(params), filter: params.filter },
      schema: userRelationListSchema,
    });
  }

  listAllRelations(accountId: string, pageSize = 1000): Promise<UnipileUserRelation[]> {
    return collect((cursor) => this.listRelations(accountId, { cursor, limit: pageSize }));
  }

  // ── invitations ────────────────────────────────────────────────────────────

  /** Sends a connection request. Never retried: a lost answer may hide a sent invitation. */
  sendInvitation(accountId: string, input: SendInvitationInput): Promise<UnipileInvitationSentResult> {
    if (input.message !== undefined && input.message.length > INVITATION_NOTE_MAX_LENGTH) {
      return Promise.reject(
        new UnipileError('BAD_REQUEST', `Invitation note exceeds ${INVITATION_NOTE_MAX_LENGTH} characters`, {
          operation: 'sendInvitation',
          type: 'errors/too_many_characters',
        }),
      );
    }
    return this.call({
      operation: 'sendInvitation',
      method: 'POST',
      path: 'users/invite',
      json: { account_id: accountId, provider_id: input.providerId, ...(input.message !== undefined ? { message: input.message } : {}) },
      schema: invitationSentResultSchema,
    });
  }

  /** One page of pending sent invitations (Unipile's default page size is 10, at most 100). */
  listSentInvitations(accountId: string, params: PageParams = {}): Promise<Page<UnipileSentInvitation>> {
    return this.call({
      operation: 'listSentInvitations',
      method: 'GET',
      path: 'users/invite/sent',
      query: { account_id: accountId, ...pageQuery(params) },
      schema: sentInvitationListSchema,
    });
  }

  listAllSentInvitations(accountId: string): Promise<UnipileSentInvitation[]> {
    return collect((cursor) => this.listSentInvitations(accountId, { cursor, limit: 100 }));
  }

  /** Withdraws a pending invitation; LinkedIn then blocks re-inviting that person for a while. */
  async cancelInvitation(accountId: string, invitationId: string): Promise<void> {
    await this.call({
      operation: 'cancelInvitation',
      method: 'DELETE',
      path: `users/invite/sent/${enc(invitationId)}`,
      query: { account_id: accountId },
      schema: objectOnlySchema,
    });
  }

  // ── chats and messages ─────────────────────────────────────────────────────

  listChats(params: ChatListParams = {}): Promise<Page<UnipileChat>> {
    return this.call({
      operation: 'listChats',
      method: 'GET',
      path: 'chats',
      query: {
        account_id: params.accountId,
        ...pageQuery(params),
        before: params.before,
        after: params.after,
        unread: params.unread,
      },
      schema: chatListSchema,
    });
  }

  /** Every chat, following the cursor to the last page. */
  listAllChats(params: Omit<ChatListParams, 'cursor'> = {}): Promise<UnipileChat[]> {
    return collect((cursor) => this.listChats({ limit: 250, ...params, cursor }));
  }

  /** A chat by Unipile id, or by LinkedIn thread id when `accountId` is given. */
  getChat(chatId: string, accountId?: string): Promise<UnipileChatWithLastMessage> {
    return this.call({
      operation: 'getChat',
      method: 'GET',
      path: `chats/${enc(chatId)}`,
      query: { account_id: accountId },
      schema: chatWithLastMessageSchema,
    });
  }

  listMessages(chatId: string, params: MessageListParams = {}): Promise<Page<UnipileMessage>> {
    return this.call({
      operation: 'listMessages',
      method: 'GET',
      path: `chats/${enc(chatId)}/messages`,
      query: { ...pageQuery(params), before: params.before, after: params.after, sender_id: params.senderId },
      schema: messageListSchema,
    });
  }

  listAllMessages(chatId: string, params: Omit<MessageListParams, 'cursor'> = {}): Promise<UnipileMessage[]> {
    return collect((cursor) => this.listMessages(chatId, { limit: 250, ...params, cursor }));
  }

  /** The 1:1 chat with this member, searching every page; null when there is none. */
  async findChatWithAttendee(accountId: string, attendeeProviderId: string): Promise<UnipileChat | null> {
    let cursor: string | undefined;
    do {
      const page = await this.listChats({ accountId, cursor, limit: 250 });
      const chat = page.items.find((c) => c.type === 0 && c.attendee_provider_id === attendeeProviderId);
      if (chat) return chat;
      cursor = page.cursor ?? undefined;
    } while (cursor);
    return null;
  }

  /**
   * Starts a 1:1 chat (multipart, `linkedin[api]=classic`); for an existing conversation Unipile
   * posts into it. Never retried.
   */
  startChat(accountId: string, input: StartChatInput): Promise<UnipileChatStarted> {
    const form = new FormData();
    form.append('account_id', accountId);
    for (const id of input.attendeeProviderIds) form.append('attendees_ids', id);
    form.append('text', input.text);
    form.append('linkedin[api]', input.api ?? 'classic');
    if (input.inmail !== undefined) form.append('linkedin[inmail]', String(input.inmail));
    return this.call({ operation: 'startChat', method: 'POST', path: 'chats', form, schema: chatStartedSchema });
  }

  /** Sends in an existing chat (multipart). `accountId` makes Unipile refuse chats of other accounts. Never retried. */
  sendMessage(chatId: string, text: string, opts: { accountId?: string } = {}): Promise<UnipileMessageSent> {
    const form = new FormData();
    form.append('text', text);
    if (opts.accountId) form.append('account_id', opts.accountId);
    return this.call({ operation: 'sendMessage', method: 'POST', path: `chats/${enc(chatId)}/messages`, form, schema: messageSentSchema });
  }

  // ── webhooks ───────────────────────────────────────────────────────────────

  /** Registers a webhook and returns its id. Never retried (a retry could register it twice). */
  async createWebhook(input: CreateWebhookInput): Promise<string> {
    const created = await this.call({
      operation: 'createWebhook',
      method: 'POST',
      path: 'webhooks',
      json: {
        request_url: input.requestUrl,
        source: input.source,
        name: input.name,
        format: 'json',
        account_ids: input.accountIds,
        enabled: input.enabled ?? true,
        // API-created webhooks carry no JSON content type unless asked for.
        headers: input.headers ?? [{ key: 'Content-Type', value: 'application/json' }],
        events: input.events,
      },
      schema: webhookCreatedSchema,
    });
    return created.webhook_id;
  }

  listWebhooks(params: PageParams = {}): Promise<Page<UnipileWebhook>> {
    return this.call({ operation: 'listWebhooks', method: 'GET', path: 'webhooks', query: pageQuery(params), schema: webhookListSchema });
  }

  listAllWebhooks(): Promise<UnipileWebhook[]> {
    return collect((cursor) => this.listWebhooks({ cursor, limit: 250 }));
  }

  async deleteWebhook(webhookId: string): Promise<void> {
    await this.call({ operation: 'deleteWebhook', method: 'DELETE', path: `webhooks/${enc(webhookId)}`, schema: objectOnlySchema });
  }

  // ── transport ──────────────────────────────────────────────────────────────

  private async call<S extends z.ZodType>(call: Call<S>): Promise<z.output<S>> {
    // Only reads are safe to repeat: a POST or DELETE that timed out may already have happened.
    const attempts = call.method === 'GET' ? this.retryLimit + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(call, attempt);
      } catch (error) {
        const retry = error instanceof UnipileError && error.code === 'TEMPORARY' && attempt < attempts;
        if (!retry) throw error;
        const delayMs = this.backoff(attempt);
        this.log?.warn({ operation: call.operation, attempt, delayMs, status: error.status }, 'unipile read failed, retrying');
        await sleep(delayMs);
      }
    }
  }

  private async once<S extends z.ZodType>(call: Call<S>, attempt: number): Promise<z.output<S>> {
    const started = performance.now();
    try {
      const result = await this.attempt(call, attempt, started);
      this.onCall?.({ operation: call.operation, method: call.method, outcome: 'ok', ms: performance.now() - started });
      return result;
    } catch (error) {
      const outcome = error instanceof UnipileError ? error.code : 'UNKNOWN';
      this.onCall?.({ operation: call.operation, method: call.method, outcome, ms: performance.now() - started });
      throw error;
    }
  }

  private async attempt<S extends z.ZodType>(call: Call<S>, attempt: number, started: number): Promise<z.output<S>> {
    let status: number;
    let raw: string;
    try {
      const response = await this.http(call.path, {
        method: call.method,
        searchParams: toSearchParams(call.query),
        ...(call.json !== undefined ? { json: call.json } : {}),
        ...(call.form ? { body: call.form } : {}),
      });
      status = response.statusCode;
      raw = response.body;
    } catch (error) {
      const reason = error instanceof RequestError && error.code === 'ETIMEDOUT' ? 'timeout' : 'network';
      this.log?.warn({ operation: call.operation, attempt, reason, code: errorCode(error) }, 'unipile request failed');
      throw unipileNetworkError(call.operation, reason, error);
    }
    const ms = Math.round(performance.now() - started);
    this.log?.debug({ operation: call.operation, method: call.method, path: call.path, status, attempt, ms }, 'unipile request');

    if (status < 200 || status >= 300) {
      const parsed = errorBodySchema.safeParse(safeJson(raw));
      const error = unipileHttpError(call.operation, status, parsed.success ? parsed.data : {});
      this.log?.info({ operation: call.operation, status, type: error.type, code: error.code }, 'unipile answered with an error');
      throw error;
    }
    const parsed = call.schema.safeParse(safeJson(raw));
    if (!parsed.success) {
      throw new UnipileError(
        'UNEXPECTED_RESPONSE',
        `Unipile ${call.operation} returned an unexpected body`,
        { operation: call.operation, status },
        parsed.error,
      );
    }
    return parsed.data;
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(exp / 2 + Math.random() * (exp / 2)); // jitter: spread concurrent retries
  }
}

/** Follows `cursor` until Unipile says there is no more (null). */
async function collect<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    all.push(...page.items);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return all;
}

function apiBaseUrl(dsn: string): string {
  const withScheme = /^https?:\/\//i.test(dsn) ? dsn : `https://${dsn}`;
  const trimmed = withScheme.replace(/\/+$/, '');
  return trimmed.endsWith('/api/v1') ? `${trimmed}/` : `${trimmed}/api/v1/`;
}

function pageQuery(params: PageParams): Query {
  return { cursor: params.cursor, limit: params.limit };
}

function toSearchParams(query: Query | undefined): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.append(key, String(value));
  }
  return params;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
