import type { NotificationContent } from '../notification-content';
import { postJson } from './http-post';
import type { SendOutcome } from './send-outcome';
import { renderSlack } from './slack-message';

/** Posts a Block Kit message to a Slack incoming-webhook URL (the channel's secret). */
export class SlackSender {
  constructor(private readonly timeoutMs: number) {}

  send(webhookUrl: string, content: NotificationContent): Promise<SendOutcome> {
    return postJson(webhookUrl, JSON.stringify(renderSlack(content)), {}, this.timeoutMs);
  }
}
