import { z } from 'zod';

// Bodies Unipile POSTs to registered webhooks. Unlike REST, `is_sender` and `is_group` are
// booleans here, and the text field is `message` (REST says `text`).

const optStr = z.string().nullish();

export const webhookAttendeeSchema = z.object({
  attendee_id: optStr,
  attendee_provider_id: z.string(),
  attendee_name: optStr,
  attendee_profile_url: optStr,
  attendee_public_identifier: optStr,
  attendee_specifics: z
    .object({ provider: optStr, member_urn: optStr, occupation: optStr, network_distance: optStr })
    .nullish(),
});

export const messagingWebhookSchema = z.object({
  event: z.string(), // message_received, message_read, message_reaction, …
  account_id: z.string(),
  account_type: z.string(),
  account_info: z.object({ type: optStr, feature: optStr, user_id: z.string() }).nullish(),
  webhook_name: optStr,
  chat_id: z.string(),
  message_id: z.string(),
  message: z.string().nullable(),
  timestamp: z.string(),
  sender: webhookAttendeeSchema,
  attendees: z.array(webhookAttendeeSchema).default([]),
  // An object in the documented example, an array in live captures.
  attachments: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).nullish(),
  is_sender: z.boolean().optional(),
  is_group: z.boolean().optional(),
  provider_chat_id: optStr,
  provider_message_id: optStr,
});
export type UnipileMessagingWebhook = z.infer<typeof messagingWebhookSchema>;

export const newRelationWebhookSchema = z.object({
  event: z.literal('new_relation'),
  account_id: z.string(),
  account_type: z.string(),
  webhook_name: optStr,
  user_full_name: optStr,
  user_provider_id: z.string(),
  user_public_identifier: optStr,
  user_profile_url: optStr,
  user_picture_url: optStr,
});
export type UnipileNewRelationWebhook = z.infer<typeof newRelationWebhookSchema>;

export const accountStatusWebhookSchema = z.object({
  AccountStatus: z.object({ account_id: z.string(), account_type: z.string(), message: z.string() }),
});
export type UnipileAccountStatusWebhook = z.infer<typeof accountStatusWebhookSchema>;

/** True when an own message (sent from this account, by API or another device) rather than a reply. */
export function isOwnMessage(payload: UnipileMessagingWebhook): boolean {
  if (payload.account_info?.user_id) return payload.sender.attendee_provider_id === payload.account_info.user_id;
  return payload.is_sender === true;
}
