import { describe, type NotificationContent } from '../notification-content';
import { NotificationEventType } from '../notification-kinds';

// Slack limits: 3000 characters per section text, 150 per header, 10 fields per section.
const SECTION_MAX = 3000;
const HEADER_MAX = 150;

export type SlackBlock = Record<string, unknown>;
export type SlackMessage = { text: string; blocks: SlackBlock[] };

/** Slack's mrkdwn treats &, < and > as control characters. */
const escapeMrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** A Block Kit message: a header, the facts, the reply quoted, and a button to the link. */
export function renderSlack(content: NotificationContent): SlackMessage {
  const { title, facts } = describe(content);
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: clip(title, HEADER_MAX), emoji: false } }];
  if (facts.length > 0) {
    blocks.push({
      type: 'section',
      fields: facts.slice(0, 10).map(([label, value]) => ({ type: 'mrkdwn', text: clip(`*${label}*\n${escapeMrkdwn(value)}`, 2000) })),
    });
  }
  if (content.type === NotificationEventType.REPLY_RECEIVED && content.reply?.text) {
    const quoted = escapeMrkdwn(content.reply.text).split('\n').map((line) => `>${line}`).join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(quoted, SECTION_MAX) } });
  }
  if (content.link) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: content.type === NotificationEventType.REPLY_RECEIVED ? 'Open LinkedIn profile' : 'Open' },
          url: content.link,
        },
      ],
    });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Event ${content.eventId} · ${content.occurredAt}` }] });
  // `text` is the fallback shown in notifications and by clients without blocks.
  return { text: title, blocks };
}
