// The public surface of this feature: what other features may import (lint forbids reaching past it).
export { notificationsModule } from './notifications.module';
export type { NotifierSettings } from './notifier-settings';
