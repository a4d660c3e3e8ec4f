import {
  RootConfigService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import type { DeploymentSync } from './DeploymentSync';

/** Id of the scheduled reconciliation task. */
export const DEPLOYMENT_SYNC_TASK_ID = 'deployments-sync';

/** Every 2 minutes, at most 10 minutes per run, 5 s after start-up. */
export const DEFAULT_DEPLOYMENT_SYNC_SCHEDULE: SchedulerServiceTaskScheduleDefinition =
  {
    frequency: { minutes: 2 },
    timeout: { minutes: 10 },
    initialDelay: { seconds: 5 },
  };

/**
 * Schedules the pull reconciliation of all entities. The task is global:
 * when several replicas share one PostgreSQL database, one of them runs each
 * tick. `deployments.schedule` in config overrides the default schedule.
 */
export async function scheduleDeploymentSync(options: {
  scheduler: SchedulerService;
  config: RootConfigService;
  sync: Pick<DeploymentSync, 'syncAll'>;
}): Promise<void> {
  const { scheduler, config, sync } = options;
  const scheduleConfig = config.getOptionalConfig('deployments.schedule');
  const schedule = scheduleConfig
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(scheduleConfig)
    : DEFAULT_DEPLOYMENT_SYNC_SCHEDULE;
  await scheduler.scheduleTask({
    id: DEPLOYMENT_SYNC_TASK_ID,
    ...schedule,
    scope: 'global',
    fn: async signal => {
      await sync.syncAll({ signal });
    },
  });
}
