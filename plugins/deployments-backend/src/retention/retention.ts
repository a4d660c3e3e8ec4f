import {
  LoggerService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  RootConfigService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import type {
  DeploymentStore,
  RetentionCutoffs,
} from '../database/DeploymentStore';

/** Id of the scheduled retention task. */
export const RETENTION_TASK_ID = 'deployments-retention';

/** Once an hour, 10 minutes after start-up. */
export const DEFAULT_RETENTION_SCHEDULE: SchedulerServiceTaskScheduleDefinition =
  {
    frequency: { hours: 1 },
    timeout: { minutes: 15 },
    initialDelay: { minutes: 10 },
  };

/** How long each kind of row is kept. Deployments and the audit log are kept for ever unless configured. */
export interface RetentionPolicy {
  webhookDeliveries: HumanDuration;
  idempotencyKeys: HumanDuration;
  diffCache: HumanDuration;
  sentNotifications: HumanDuration;
  deployments?: HumanDuration;
  auditLog?: HumanDuration;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  // GitHub redelivers for days at most; a week of dedupe keys is plenty.
  webhookDeliveries: { days: 7 },
  // Long enough for any client retry of the same action.
  idempotencyKeys: { days: 1 },
  // Commits between two SHAs never change; this only bounds the table.
  diffCache: { days: 30 },
  // Dedupe keys of notifications sent: a gate or a failure older than this
  // is not told about again, since only changes are.
  sentNotifications: { days: 30 },
};

const KINDS = [
  'webhookDeliveries',
  'idempotencyKeys',
  'diffCache',
  'sentNotifications',
  'deployments',
  'auditLog',
] as const;

/** Reads `deployments.retention`; a malformed or non-positive duration is a start-up error naming the key. */
export function readRetentionPolicy(config: Config): RetentionPolicy {
  const policy: RetentionPolicy = { ...DEFAULT_RETENTION };
  const section = config.getOptionalConfig('deployments.retention');
  for (const kind of KINDS) {
    if (!section?.has(kind)) continue;
    const value = section.get(kind) as HumanDuration;
    let ms: number;
    try {
      ms = durationToMilliseconds(value);
    } catch {
      ms = NaN;
    }
    if (!Number.isFinite(ms) || ms <= 0) {
      throw new InputError(
        `deployments.retention.${kind} must be a positive duration such as { days: 30 }`,
      );
    }
    policy[kind] = value;
  }
  return policy;
}

/** The cutoffs of a policy at a moment: rows older than these go. */
export function cutoffsAt(
  policy: RetentionPolicy,
  now: Date,
): RetentionCutoffs {
  const cutoffs: RetentionCutoffs = {};
  for (const kind of KINDS) {
    const keep = policy[kind];
    if (keep) {
      cutoffs[kind] = new Date(now.getTime() - durationToMilliseconds(keep));
    }
  }
  return cutoffs;
}

/**
 * Schedules the pruning of rows that only bound the tables' growth (webhook
 * delivery records, expired idempotency keys, old diff-cache rows), plus
 * deployments and audit entries only where configured. Global scope: one
 * replica runs it.
 */
export async function scheduleRetention(options: {
  scheduler: SchedulerService;
  config: RootConfigService;
  store: Pick<DeploymentStore, 'prune'>;
  logger: LoggerService;
}): Promise<void> {
  const { scheduler, config, store, logger } = options;
  const policy = readRetentionPolicy(config);
  const scheduleConfig = config.getOptionalConfig(
    'deployments.retention.schedule',
  );
  const schedule = scheduleConfig
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(scheduleConfig)
    : DEFAULT_RETENTION_SCHEDULE;
  await scheduler.scheduleTask({
    id: RETENTION_TASK_ID,
    ...schedule,
    scope: 'global',
    fn: async () => {
      const counts = await store.prune(cutoffsAt(policy, new Date()));
      const pruned = Object.entries(counts).filter(([, n]) => n > 0);
      if (pruned.length > 0) {
        logger.info(
          `Deployments retention pruned ${pruned
            .map(([kind, n]) => `${n} ${kind}`)
            .join(', ')}`,
        );
      }
    },
  });
}
