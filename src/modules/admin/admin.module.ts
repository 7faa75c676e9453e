import { MigrationsRepository } from '../../core/db/migrations.repository';
import { authModule } from '../auth';
import { defineModule } from '../module';
import { unipileModule } from '../unipile';
import { AdminResolver } from './admin.resolver';
import { AdminService } from './admin.service';
import { AuditLogEntry } from './audit-log.entity';
import { AuditLogRepository } from './audit-log.repository';
import { AuditLogService } from './audit-log.service';
import { ConversationRepository } from './conversation.repository';
import { DebugTimingRepository } from './debug-timing.repository';
import { DebugTimingService } from './debug-timing.service';
import { registerJobDashboard } from './job-dashboard';
import { ManualMessageRepository } from './manual-message.repository';
import { ManualMessageService } from './manual-message.service';

/** Admin and operator operations (migrations, debugging, manual messages, users, audit log) and the jobs dashboard. */
export const adminModule = defineModule({
  name: 'admin',
  entities: [AuditLogEntry],
  resolvers: [AdminResolver],
  create(ctx) {
    const { dataSource, clock, log, config, jobs } = ctx;
    const { auth, tokens, users } = ctx.use(authModule);
    const em = dataSource.manager;
    const audit = new AuditLogService(new AuditLogRepository(em));
    const admin = new AdminService(
      new MigrationsRepository(em),
      new ConversationRepository(em),
      audit,
      new DebugTimingService(new DebugTimingRepository(em), clock),
      new ManualMessageService(dataSource, new ManualMessageRepository(em), ctx.use(unipileModule).client, clock, log),
      auth,
      users,
    );
    return {
      resolvers: [new AdminResolver(admin)],
      async routes(http) {
        if (!config.operations.jobDashboard) return;
        await registerJobDashboard(http, {
          agenda: jobs,
          auth,
          tokens,
          audit,
          jwt: { secret: config.auth.jwtSecret, issuer: config.auth.jwtIssuer },
          jobStore: ctx.jobStore,
          workerRunning: ctx.worker,
        });
      },
    };
  },
});
