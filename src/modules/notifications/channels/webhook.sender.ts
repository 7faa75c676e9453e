import type { Clock } from '../../../core/clock';
import type { NotificationContent } from '../notification-content';
import type { DestinationGuard } from './destination-guard';
import { postJson } from './http-post';
import type { SendOutcome } from './send-outcome';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature';

/** The JSON an outbound webhook receives: the event id and type, and the content as `data`. */
export function webhookBody(content: NotificationContent): string {
  return JSON.stringify({ id: content.eventId, type: content.type, occurredAt: content.occurredAt, workspaceId: content.workspaceId, data: content });
}

/** POSTs the event, signed with the channel's secret over "<unix seconds>.<body>" at sending time. */
export class WebhookSender {
  constructor(
    private readonly clock: Clock,
    private readonly guard: DestinationGuard,
    private readonly timeoutMs: number,
  ) {}

  send(target: { url: string; secret: string; deliveryId: string }, content: NotificationContent): Promise<SendOutcome> {
    const body = webhookBody(content);
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    return postJson(
      this.guard,
      target.url,
      body,
      {
        [SIGNATURE_HEADER]: signWebhook(target.secret, body, timestamp),
        'X-Outreach-Event': content.type,
        'X-Outreach-Event-Id': content.eventId,
        'X-Outreach-Delivery': target.deliveryId,
      },
      this.timeoutMs,
    );
  }
}
