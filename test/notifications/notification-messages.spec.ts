import { renderEmail } from '../../src/modules/notifications/channels/email-message';
import { renderSlack } from '../../src/modules/notifications/channels/slack-message';
import type { NotificationContent } from '../../src/modules/notifications/notification-content';
import { NotificationEventType } from '../../src/modules/notifications/notification-kinds';

const reply: NotificationContent = {
  eventId: '7',
  type: NotificationEventType.REPLY_RECEIVED,
  occurredAt: '2026-01-05T09:00:00.000Z',
  workspaceId: 'ws',
  campaign: { id: 'c1', name: 'Q4 <founders>' },
  lead: { id: 'l1', name: 'Jane Doe', company: 'Acme & Sons', profileUrl: 'https://www.linkedin.com/in/jane-doe' },
  account: { id: 'a1', name: 'Sales' },
  reply: { text: 'Sure <b>call</b> me\nTuesday & later', source: 'webhook' },
  accountStatus: null,
  cap: null,
  link: 'https://www.linkedin.com/in/jane-doe',
};

describe('notification messages', () => {
  it('should render an email with the facts in text and escaped HTML', () => {
    const mail = renderEmail(reply);
    expect(mail.subject).toBe('New reply from Jane Doe in Q4 <founders>');
    expect(mail.text).toContain('Lead: Jane Doe (Acme & Sons)');
    expect(mail.text).toContain('> Sure <b>call</b> me\n> Tuesday & later');
    expect(mail.html).toContain('Sure &lt;b&gt;call&lt;/b&gt; me');
    expect(mail.html).toContain('Acme &amp; Sons');
    expect(mail.html).not.toContain('<b>call</b>');
    expect(mail.html).toContain('href="https://www.linkedin.com/in/jane-doe"');
  });

  it('should render Slack Block Kit with escaped mrkdwn, the quoted reply and a link button', () => {
    const message = renderSlack(reply);
    expect(message.text).toBe('New reply from Jane Doe in Q4 <founders>');
    type Block = { type: string; text?: { type: string; text: string }; fields?: Array<{ text: string }>; elements?: Array<Record<string, unknown>> };
    const [header, facts, quote, actions] = message.blocks as Block[];
    expect(header).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(facts.fields?.map((f) => f.text)).toEqual(['*Lead*\nJane Doe (Acme &amp; Sons)', '*Campaign*\nQ4 &lt;founders&gt;', '*Sender*\nSales']);
    expect(quote.text?.text).toBe('>Sure &lt;b&gt;call&lt;/b&gt; me\n>Tuesday &amp; later');
    expect(actions.elements?.[0]).toMatchObject({ type: 'button', url: 'https://www.linkedin.com/in/jane-doe' });
  });

  it('should keep a long reply within Slack limits', () => {
    const message = renderSlack({ ...reply, reply: { text: 'x'.repeat(10_000), source: 'webhook' } });
    const quote = message.blocks[2] as { text: { text: string } };
    expect(quote.text.text.length).toBeLessThanOrEqual(3000);
  });

  it('should describe account and campaign events', () => {
    const base = { ...reply, lead: null, reply: null };
    expect(renderEmail({ ...base, type: NotificationEventType.ACCOUNT_DISCONNECTED, accountStatus: { status: 'DISCONNECTED', reason: 'credentials' } }).text).toContain(
      'Status: DISCONNECTED\nReason: credentials',
    );
    expect(renderEmail({ ...base, type: NotificationEventType.CAP_REACHED, cap: { kind: 'invite', day: '2026-01-05', cap: 25 } }).subject).toBe(
      'Sender account Sales reached its daily invite cap',
    );
    expect(renderSlack({ ...base, type: NotificationEventType.CAMPAIGN_COMPLETED }).text).toBe('Campaign Q4 <founders> completed');
  });
});
