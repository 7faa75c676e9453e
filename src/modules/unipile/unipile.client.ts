import got, { type Got, HTTPError, RequestError, type Response, type RetryObject } from 'got';
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
import { INVITATION_NOTE_MAX_LENGTH } from '../../core/linkedin-limits';

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

/** What each request carries for got's retry and hooks (got's `context` option). */
type CallContext = { operation: string; path: string };

/**
 * Typed access to the Unipile v1 REST API. Every failure surfaces as a UnipileError whose code the
 * engine acts on. Only idempotent reads are retried (on TEMPORARY); a send that timed out may
 * still have reached LinkedIn, so it is reported, never repeated here.
 */
export class UnipileClient {
  private readonly http: Got;
  private readonly log?: Logger;
  private readonly onCall?: (call: UnipileCallRecord) => void;

  constructor(options: UnipileClientOptions) {
    this.onCall = options.onCall;
    this.log = options.logger?.child({ module: 'unipile' });
    const baseDelayMs = options.retry?.baseDelayMs ?? 250;
    const maxDelayMs = options.retry?.maxDelayMs ?? 5_000;
    this.http = got.extend({
      prefixUrl: apiBaseUrl(options.dsn),
      headers: { 'X-API-KEY': options.apiKey, accept: 'application/json' },
      timeout: { request: options.timeoutMs ?? 30_000 },
      retry: {
        limit: options.retry?.limit ?? 2,
        // Only reads are safe to repeat: a POST or DELETE that failed may already have happened.
        methods: ['GET'],
        // Which failures are retried is the error mapping's answer (TEMPORARY: 5xx but 501, the
        // transient 422s, network errors, timeouts), not got's status and error-code lists, which
        // this function overrides; 0 means no retry.
        calculateDelay: ({ attemptCount, retryOptions, error }: RetryObject) =>
          attemptCount <= retryOptions.limit && retryOptions.methods.includes(error.options.method) && failureOf(error).code === 'TEMPORARY'
            ? backoff(attemptCount, baseDelayMs, maxDelayMs)
            : 0,
      },
      // A retried attempt is reported here; the last one (success or not) by call().
      hooks: { beforeRetry: [(error, retryCount) => this.retrying(error, retryCount)] },
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
    let response: Response<string>;
    try {
      response = await this.http(call.path, {
        method: call.method,
        searchParams: toSearchParams(call.query),
        context: { operation: call.operation, path: call.path } satisfies CallContext,
        ...(call.json !== undefined ? { json: call.json } : {}),
        ...(call.form ? { body: call.form } : {}),
      });
    } catch (error) {
      // No answer (network, timeout) on the last attempt got made.
      const failure = error instanceof RequestError ? failureOf(error) : unipileNetworkError(call.operation, 'network', error);
      const attempt = error instanceof RequestError ? (error.request?.retryCount ?? 0) + 1 : 1;
      this.attempted(call.operation, call.method, attempt, attemptMs(error instanceof RequestError ? error.timings : undefined), failure);
      throw failure;
    }
    const attempt = response.retryCount + 1;
    const ms = attemptMs(response.timings);
    const status = response.statusCode;
    this.log?.debug({ operation: call.operation, method: call.method, path: call.path, status, attempt, ms: Math.round(ms) }, 'unipile request');

    if (status < 200 || status >= 300) {
      const error = httpFailure(call.operation, status, response.body);
      this.attempted(call.operation, call.method, attempt, ms, error);
      throw error;
    }
    const parsed = call.schema.safeParse(safeJson(response.body));
    if (!parsed.success) {
      const error = new UnipileError(
        'UNEXPECTED_RESPONSE',
        `Unipile ${call.operation} returned an unexpected body`,
        { operation: call.operation, status },
        parsed.error,
      );
      this.attempted(call.operation, call.method, attempt, ms, error);
      throw error;
    }
    this.attempted(call.operation, call.method, attempt, ms, undefined);
    return parsed.data;
  }

  /** got's beforeRetry hook: the attempt that just failed (number `retryCount`), before the next one. */
  private retrying(error: RequestError, retryCount: number): void {
    const { operation, path } = error.options.context as CallContext;
    const failure = failureOf(error);
    const ms = attemptMs(error.timings);
    if (failure.status !== undefined) {
      this.log?.debug({ operation, method: error.options.method, path, status: failure.status, attempt: retryCount, ms: Math.round(ms) }, 'unipile request');
    }
    this.attempted(operation, error.options.method, retryCount, ms, failure);
    this.log?.warn({ operation, attempt: retryCount, status: failure.status }, 'unipile read failed, retrying');
  }

  /** One attempt's end: the metrics callback, and a log line for a failure. */
  private attempted(operation: string, method: string, attempt: number, ms: number, failure: UnipileError | undefined): void {
    this.onCall?.({ operation, method, outcome: failure?.code ?? 'ok', ms });
    if (!failure || failure.code === 'UNEXPECTED_RESPONSE') return;
    if (failure.status === undefined) {
      const code = errorCode(failure.cause);
      this.log?.warn({ operation, attempt, reason: code === 'ETIMEDOUT' ? 'timeout' : 'network', code }, 'unipile request failed');
    } else {
      this.log?.info({ operation, status: failure.status, type: failure.type, code: failure.code }, 'unipile answered with an error');
    }
  }
}

/** The UnipileError for a failed attempt as got reports it: an error status, or no answer at all. */
function failureOf(error: RequestError): UnipileError {
  const { operation } = error.options.context as CallContext;
  if (error instanceof HTTPError) return httpFailure(operation, error.response.statusCode, String(error.response.body));
  return unipileNetworkError(operation, error.code === 'ETIMEDOUT' ? 'timeout' : 'network', error);
}

function httpFailure(operation: string, status: number, raw: string): UnipileError {
  const parsed = errorBodySchema.safeParse(safeJson(raw));
  return unipileHttpError(operation, status, parsed.success ? parsed.data : {});
}

/** Retry n waits a random time between half and all of `baseMs` × 2^(n−1), at most `maxMs`: the jitter spreads concurrent retries. */
function backoff(attempt: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/** How long an attempt took, as got timed it (no timings: no request went out; cut short: until now). */
function attemptMs(timings: Response['timings'] | undefined): number {
  if (!timings) return 0;
  return timings.phases.total ?? (timings.end ?? timings.error ?? timings.abort ?? Date.now()) - timings.start;
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
