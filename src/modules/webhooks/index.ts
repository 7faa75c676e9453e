// The public surface of this feature: what other features may import (lint forbids reaching past it).
export { announceReply } from './reply-listener';
export type { DetectedReply, ReplyListener } from './reply-listener';
export { webhooksModule } from './webhooks.module';
