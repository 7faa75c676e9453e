// The public surface of this feature: what other features may import (lint forbids reaching past it).
export { startUnipileSandbox } from './sandbox/sandbox';
export { SandboxHttpError } from './sandbox/sandbox-errors';
export { createSandboxWorld } from './sandbox/sandbox-world';
export type { SandboxWorld } from './sandbox/sandbox-world';
export type { UnipileSandbox } from './sandbox/sandbox';
export type { SandboxOptions } from './sandbox/sandbox-options';
export type { SandboxMessage, SandboxRelation } from './sandbox/sandbox-store';
export { UnipileMessenger } from './unipile-messenger';
export { accountStatusWebhookSchema, isOwnMessage, messagingWebhookSchema, newRelationWebhookSchema } from './unipile-webhook.schemas';
export { UnipileClient } from './unipile.client';
export type { CreateWebhookInput } from './unipile.client';
export { classifyUnipileFailure, UnipileError } from './unipile.errors';
export { unipileModule } from './unipile.module';
export type { UnipileAccount, UnipileUserRelation, UnipileWebhook } from './unipile.schemas';
