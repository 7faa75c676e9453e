import { registerEnumType } from 'type-graphql';

// The enums shared by entities, GraphQL types and the dispatcher.

export enum NotificationChannelKind {
  EMAIL = 'EMAIL',
  SLACK = 'SLACK',
  WEBHOOK = 'WEBHOOK',
}
registerEnumType(NotificationChannelKind, { name: 'NotificationChannelKind', description: 'Where a notification goes' });

export enum NotificationEventType {
  REPLY_RECEIVED = 'REPLY_RECEIVED',
  ACCOUNT_DISCONNECTED = 'ACCOUNT_DISCONNECTED',
  CAP_REACHED = 'CAP_REACHED',
  CAMPAIGN_COMPLETED = 'CAMPAIGN_COMPLETED',
}
registerEnumType(NotificationEventType, {
  name: 'NotificationEventType',
  description: 'What operators can be told about',
  valuesConfig: {
    REPLY_RECEIVED: { description: 'A lead replied (never the sender’s own messages)' },
    ACCOUNT_DISCONNECTED: { description: 'A sender account became DISCONNECTED or RESTRICTED' },
    CAP_REACHED: { description: 'A sender account reached its daily invite or message cap' },
    CAMPAIGN_COMPLETED: { description: 'A campaign was set to COMPLETED' },
  },
});

export enum NotificationDeliveryStatus {
  PENDING = 'PENDING',
  SENDING = 'SENDING',
  RETRYING = 'RETRYING',
  SENT = 'SENT',
  FAILED = 'FAILED',
  SKIPPED = 'SKIPPED',
}
registerEnumType(NotificationDeliveryStatus, {
  name: 'NotificationDeliveryStatus',
  description: 'PENDING → SENDING → SENT, or → RETRYING (with backoff) → … → FAILED; SKIPPED when the channel was disabled before sending',
});
