import { NotificationEventType } from './notification-kinds';

/**
 * What a notification says, resolved once when its deliveries are created (names of the lead,
 * campaign and sender at that moment), stored on each delivery and sent as the webhook `data`.
 */
export type NotificationContent = {
  /** The live event id: the same for every channel, every retry and every replay. */
  eventId: string;
  type: NotificationEventType;
  occurredAt: string;
  workspaceId: string;
  campaign: { id: string; name: string } | null;
  lead: { id: string; name: string; company: string | null; profileUrl: string | null } | null;
  account: { id: string; name: string } | null;
  reply: { text: string | null; source: string } | null;
  accountStatus: { status: string; reason: string | null } | null;
  cap: { kind: string; day: string; cap: number } | null;
  /** Where to look: the lead's LinkedIn profile for replies, else the API (PUBLIC_URL) when known. */
  link: string | null;
};

/** A one-line title and a few labelled facts, shared by the email and Slack renderings. */
export function describe(content: NotificationContent): { title: string; facts: Array<[string, string]> } {
  const lead = content.lead ? `${content.lead.name}${content.lead.company ? ` (${content.lead.company})` : ''}` : null;
  const facts: Array<[string, string]> = [];
  if (lead) facts.push(['Lead', lead]);
  if (content.campaign) facts.push(['Campaign', content.campaign.name]);
  if (content.account) facts.push(['Sender', content.account.name]);
  switch (content.type) {
    case NotificationEventType.REPLY_RECEIVED:
      return { title: `New reply from ${content.lead?.name ?? 'a lead'}${content.campaign ? ` in ${content.campaign.name}` : ''}`, facts };
    case NotificationEventType.ACCOUNT_DISCONNECTED:
      if (content.accountStatus) {
        facts.push(['Status', content.accountStatus.status]);
        if (content.accountStatus.reason) facts.push(['Reason', content.accountStatus.reason]);
      }
      return { title: `Sender account ${content.account?.name ?? ''} is ${content.accountStatus?.status.toLowerCase() ?? 'disconnected'}`.replace(/\s+/g, ' '), facts };
    case NotificationEventType.CAP_REACHED:
      if (content.cap) facts.push(['Cap', `${content.cap.cap} ${content.cap.kind}s on ${content.cap.day}`]);
      return { title: `Sender account ${content.account?.name ?? ''} reached its daily ${content.cap?.kind ?? ''} cap`.replace(/\s+/g, ' '), facts };
    case NotificationEventType.CAMPAIGN_COMPLETED:
      return { title: `Campaign ${content.campaign?.name ?? ''} completed`.replace(/\s+/g, ' '), facts };
  }
}

/** A LinkedIn profile address from a public identifier (slug) or a member id (LinkedIn redirects both). */
export function linkedInProfileUrl(publicIdentifier: string | null, providerId: string | null): string | null {
  const id = publicIdentifier ?? providerId;
  return id ? `https://www.linkedin.com/in/${encodeURIComponent(id)}` : null;
}
