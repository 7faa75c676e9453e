import { authModule } from '../auth/auth.module';
import { defineModule } from '../module';
import { unipileModule } from '../unipile/unipile.module';
import { AdminResolver } from './admin.resolver';
import { AdminService } from './admin.service';
import { AuditLogEntry } from './audit-log.entity';
import { AuditLogService } from './audit-log.service';
import { DebugTimingService } from './debug-timing.service';
import { registerJobDashboard } from './job-dashboard';
import { ManualMessageService } from './manual-message.service';

/** Admin and operator operations (migrations, debugging, manual messages, users, audit log) and the jobs dashboard. */
export const adminModule = defineModule({
  name: 'admin',
  entities: [AuditLogEntry],
  resolvers: [AdminResolver],
  create(ctx) {
    const { dataSource, clock, log, config, jobs } = ctx;
    const { auth, tokens, users } = ctx.use(authModule);
    const audit = new AuditLogService(dataSource);
    const admin = new AdminService(
      dataSource,
      audit,
      new DebugTimingService(dataSource, clock),
      new ManualMessageService(dataSource, ctx.use(unipileModule).client, clock, log),
      auth,
      users,
    );
    return {
      resolvers: [new AdminResolver(admin)],
      async routes(http) {
        if (!config.operations.jobDashboard) return;
        await registerJobDashboard(http, {
          agenda: jobs,
          dataSource,
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
