import type { NotificationContent } from '../notification-content';
import type { DestinationGuard } from './destination-guard';
import { postJson, refused } from './http-post';
import type { SendOutcome } from './send-outcome';
import { renderSlack } from './slack-message';

export const DEFAULT_SLACK_WEBHOOK_ORIGINS = ['https://hooks.slack.com'];

/**
 * Is this a Slack incoming-webhook URL: on one of the allowed origins (NOTIFY_SLACK_WEBHOOK_ORIGINS,
 * https://hooks.slack.com by default), with a path, and no credentials in it?
 */
export function isSlackWebhookUrl(url: string, origins: readonly string[]): boolean {
  if (!URL.canParse(url)) return false;
  const u = new URL(url);
  return origins.includes(u.origin) && u.pathname.length > 1 && !u.username && !u.password;
}

/** Posts a Block Kit message to a Slack incoming-webhook URL (the channel's secret). */
export class SlackSender {
  constructor(
    private readonly guard: DestinationGuard,
    private readonly origins: readonly string[],
    private readonly timeoutMs: number,
  ) {}

  send(webhookUrl: string, content: NotificationContent): Promise<SendOutcome> {
    // Checked again at sending: a channel saved before the origins were narrowed is not sent to.
    if (!isSlackWebhookUrl(webhookUrl, this.origins)) return Promise.resolve(refused(`not a Slack webhook URL (allowed: ${this.origins.join(', ')})`));
    return postJson(this.guard, webhookUrl, JSON.stringify(renderSlack(content)), {}, this.timeoutMs);
  }
}
