// The public surface of this feature: what other features may import (lint forbids reaching past it).
export { AccountRepository } from './account.repository';
export type { AccountService } from './account.service';
export { accountsModule } from './accounts.module';
export { dailyCap, isRamping } from './caps';
export type { AccountCaps, ActionKind } from './caps';
export { AccountStatus, LinkedInAccount } from './linkedin-account.entity';
export { currentOrNextWindow, isInsideWindow, localDay } from './working-window';
export type { Window, WorkingHours } from './working-window';
