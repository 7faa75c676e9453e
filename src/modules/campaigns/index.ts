// The public surface of this feature: what other features may import (lint forbids reaching past it).
export type { CampaignLeads } from './campaign-leads';
export { CampaignSender } from './campaign-sender.entity';
export { Campaign, CampaignStatus } from './campaign.entity';
export { CampaignRepository } from './campaign.repository';
export type { CampaignService } from './campaign.service';
export { campaignsModule } from './campaigns.module';
export { isAllowedCustomFieldName, normalizeFieldName } from './custom-fields';
export { DEFAULT_ACCEPT_TIMEOUT_DAYS } from './sequence';
export { SequenceStep, StepKind } from './sequence-step.entity';
export { leadTemplateValues, MissingTemplateValueError, renderTemplate } from './template';
