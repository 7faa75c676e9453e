import { z } from 'zod';

// REST response shapes of the Unipile v1 API (see shared/reference/unipile-api.md). Objects strip
// unknown fields instead of rejecting them: Unipile adds fields without notice. Enumerations are
// plain strings for the same reason.

const str = z.string();
const optStr = z.string().nullish();

/** REST sends flags as 0/1; accept a boolean too and hand callers 0/1 either way. */
const intFlag = z.union([z.literal(0), z.literal(1), z.boolean()]).transform((v): 0 | 1 => (v === true || v === 1 ? 1 : 0));

/** The common list envelope: `{ object, items, cursor }`, cursor null on the last page. */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    object: str,
    items: z.array(item),
    cursor: str.nullish().transform((c) => c ?? null),
  });
export type Page<T> = { object: string; items: T[]; cursor: string | null };

export const accountSchema = z.object({
  object: str.optional(),
  id: str,
  type: str,
  name: str,
  created_at: str,
  connection_params: z
    .object({
      im: z
        .object({
          id: str, // the account owner's own LinkedIn member id
          publicIdentifier: optStr,
          username: optStr,
          premiumFeatures: z.array(str).nullish(),
        })
        .optional(),
    })
    .optional(),
  sources: z.array(z.object({ id: str, status: str })).default([]),
});
export type UnipileAccount = z.infer<typeof accountSchema>;

export const accountListSchema = pageSchema(accountSchema).extend({
  total_count: z.number().optional(),
  status_counts: z.record(str, z.number()).optional(),
});
export type UnipileAccountList = z.infer<typeof accountListSchema>;

export const userProfileSchema = z.object({
  object: str,
  provider: str,
  provider_id: str, // the member id to use for invitations and chats
  public_identifier: optStr,
  first_name: optStr,
  last_name: optStr,
  headline: optStr,
  location: optStr,
  profile_picture_url: optStr,
  public_profile_url: optStr,
  member_urn: optStr,
  is_relationship: z.boolean().optional(),
  network_distance: optStr,
  invitation: z.object({ type: str, status: str }).nullish(),
  is_self: z.boolean().optional(),
  is_premium: z.boolean().optional(),
  is_open_profile: z.boolean().optional(),
  follower_count: z.number().optional(),
  connections_count: z.number().optional(),
});
export type UnipileUserProfile = z.infer<typeof userProfileSchema>;

export const ownProfileSchema = z.object({
  object: str,
  provider: str,
  provider_id: str,
  entity_urn: optStr,
  object_urn: optStr,
  first_name: optStr,
  last_name: optStr,
  public_identifier: optStr,
  public_profile_url: optStr,
  headline: optStr,
  location: optStr,
  email: optStr,
  premium: z.boolean().optional(),
  open_profile: z.boolean().optional(),
});
export type UnipileOwnProfile = z.infer<typeof ownProfileSchema>;

export const userRelationSchema = z.object({
  object: str,
  first_name: optStr,
  last_name: optStr,
  headline: optStr,
  public_identifier: optStr,
  public_profile_url: optStr,
  created_at: z.number(), // epoch ms of the connection
  member_id: str, // == provider_id elsewhere
  member_urn: optStr,
  connection_urn: optStr,
  profile_picture_url: optStr,
});
export type UnipileUserRelation = z.infer<typeof userRelationSchema>;
export const userRelationListSchema = pageSchema(userRelationSchema);

export const invitationSentResultSchema = z.object({
  object: str,
  invitation_id: str,
  usage: z.number().optional(), // percent of the provider limit, only at 50/75/90/95
});
export type UnipileInvitationSentResult = z.infer<typeof invitationSentResultSchema>;

export const sentInvitationSchema = z.object({
  object: str,
  id: str,
  date: optStr,
  parsed_datetime: optStr,
  invitation_text: optStr,
  invited_user: optStr,
  invited_user_id: optStr,
  invited_user_public_id: optStr,
  invited_user_description: optStr,
});
export type UnipileSentInvitation = z.infer<typeof sentInvitationSchema>;
export const sentInvitationListSchema = pageSchema(sentInvitationSchema);

export const objectOnlySchema = z.object({ object: str });

export const messageSchema = z.object({
  object: str,
  id: str,
  account_id: str,
  chat_id: str,
  chat_provider_id: optStr,
  provider_id: optStr,
  sender_id: str,
  sender_attendee_id: optStr,
  text: z.string().nullable(),
  attachments: z.array(z.unknown()).default([]),
  timestamp: str,
  is_sender: intFlag,
  seen: intFlag.optional(),
  delivered: intFlag.optional(),
  message_type: optStr,
});
export type UnipileMessage = z.infer<typeof messageSchema>;
export const messageListSchema = pageSchema(messageSchema);

export const chatSchema = z.object({
  object: str,
  id: str,
  account_id: str,
  account_type: str,
  provider_id: optStr,
  attendee_provider_id: optStr, // 1:1 chats: the other party's member id
  name: optStr,
  type: z.number(), // 0 single, 1 group, 2 channel
  timestamp: optStr,
  unread_count: z.number(),
  archived: intFlag.optional(),
  read_only: z.number().optional(),
  folder: z.array(str).optional(),
  content_type: optStr,
});
export type UnipileChat = z.infer<typeof chatSchema>;
export const chatListSchema = pageSchema(chatSchema);
export const chatWithLastMessageSchema = chatSchema.extend({ lastMessage: messageSchema.nullish() });
export type UnipileChatWithLastMessage = z.infer<typeof chatWithLastMessageSchema>;

export const chatStartedSchema = z.object({
  object: str,
  chat_id: str.nullable(),
  message_id: str.nullable(),
});
export type UnipileChatStarted = z.infer<typeof chatStartedSchema>;

export const messageSentSchema = z.object({ object: str, message_id: str.nullable() });
export type UnipileMessageSent = z.infer<typeof messageSentSchema>;

export const webhookSourceSchema = z.enum(['messaging', 'users', 'account_status', 'email', 'email_tracking', 'calendar_event']);
export type UnipileWebhookSource = z.infer<typeof webhookSourceSchema>;

const headerPair = z.object({ key: str, value: str });

export const webhookSchema = z.object({
  object: str,
  id: str,
  type: optStr,
  account_ids: z.array(z.object({ id: str, name: optStr, type: optStr })).default([]),
  enabled: z.boolean(),
  name: optStr,
  request_url: str,
  format: optStr,
  headers: z.array(headerPair).default([]),
  data: z.array(z.object({ name: str, key: str })).optional(),
  events: z.array(str).optional(),
  source: optStr,
});
export type UnipileWebhook = z.infer<typeof webhookSchema>;
export const webhookListSchema = pageSchema(webhookSchema);

export const webhookCreatedSchema = z.object({ object: str, webhook_id: str });

export const errorBodySchema = z.object({
  status: z.number().optional(),
  type: str.optional(),
  title: str.optional(),
  detail: str.optional(),
});
