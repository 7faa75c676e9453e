// The public surface of this feature: what other features may import (lint forbids reaching past it).
export { systemModule } from './system.module';
