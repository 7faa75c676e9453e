import type { BackoffStrategy } from 'agenda';
import type { LookupFunction } from 'node:net';
import { NotificationChannelKind } from './notification-kinds';

/** Environment-level notification settings (from config), with test overrides through AppOptions. */
export type NotifierSettings = {
  emailEnabled: boolean;
  slackEnabled: boolean;
  webhooksEnabled: boolean;
  /** smtp:// or smtps:// URL with credentials; email is off without it. */
  smtpUrl?: string;
  mailFrom: string;
  /** For links in messages (PUBLIC_URL). */
  publicUrl?: string;
  dispatchIntervalMs: number;
  /** First retry delay; each next one doubles, up to maxRetryDelayMs. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** Attempts per delivery (and per replay) before it is FAILED. */
  maxAttempts: number;
  /** Per HTTP request or SMTP stage. */
  timeoutMs: number;
  /** NOTIFY_ALLOW_PRIVATE_NETWORKS: Slack and webhook channels may reach loopback and private addresses. */
  allowPrivateNetworks: boolean;
  /** NOTIFY_SLACK_WEBHOOK_ORIGINS: where Slack channels may point (https://hooks.slack.com). */
  slackWebhookOrigins: readonly string[];
  /** Name resolution for outbound requests (default dns.lookup); tests resolve made-up names. */
  lookup?: LookupFunction;
};

export const DEFAULT_MAX_RETRY_DELAY_MS = 3_600_000;

/** Is this channel kind switched on for the whole environment? */
export function kindEnabled(settings: NotifierSettings, kind: NotificationChannelKind): boolean {
  switch (kind) {
    case NotificationChannelKind.EMAIL:
      return settings.emailEnabled && Boolean(settings.smtpUrl);
    case NotificationChannelKind.SLACK:
      return settings.slackEnabled;
    case NotificationChannelKind.WEBHOOK:
      return settings.webhooksEnabled;
  }
}

/** Delay before retry number `retry` (1 = after the first failed attempt): base · 2^(retry−1), capped. */
export function retryDelayMs(settings: NotifierSettings, retry: number): number {
  return Math.min(settings.retryDelayMs * 2 ** (retry - 1), settings.maxRetryDelayMs);
}

/** Agenda's backoff for delivery jobs: the same delays the delivery log announces as nextAttemptAt. */
export function deliveryBackoff(settings: NotifierSettings): BackoffStrategy {
  return ({ attempt }) => (attempt >= settings.maxAttempts ? null : retryDelayMs(settings, attempt));
}
