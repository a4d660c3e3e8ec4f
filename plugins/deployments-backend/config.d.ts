import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import type { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the Stagecraft deployments plugin. */
  deployments?: {
    /**
     * Default promotion path, in order. An entity overrides it with the
     * `stagecraft.io/promotion-path` annotation (comma-separated).
     * @default ["dev", "staging", "production"]
     */
    promotionPath?: string[];

    /**
     * How often the backend reconciles every entity with its providers (the
     * pull half of the sync; webhooks are the push half). Runs on one replica
     * at a time when replicas share PostgreSQL.
     * @default { frequency: { minutes: 2 }, timeout: { minutes: 10 }, initialDelay: { seconds: 5 } }
     */
    schedule?: SchedulerServiceTaskScheduleDefinitionConfig;

    /**
     * How long rows are kept. Delivery records, idempotency keys and the
     * diff cache only bound the tables' growth; deployments and the audit
     * log are never pruned unless a duration is given here. A deployment
     * that is the current or latest one of its environment is never pruned.
     */
    retention?: {
      /** @default { days: 7 } */
      webhookDeliveries?: HumanDuration;
      /** @default { days: 1 } */
      idempotencyKeys?: HumanDuration;
      /** @default { days: 30 } */
      diffCache?: HumanDuration;
      /** Finished deployments older than this; unset keeps them for ever. */
      deployments?: HumanDuration;
      /** Audit entries older than this; unset keeps them for ever. */
      auditLog?: HumanDuration;
      /** @default { frequency: { hours: 1 }, timeout: { minutes: 15 }, initialDelay: { minutes: 10 } } */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };

    /** Rules applied to promote, approve, reject and roll back. */
    policies?: {
      /**
       * Environments whose promotions need an approval by another person
       * before they run. Where the provider gates the environment itself
       * (GitHub required reviewers, a CodePipeline manual approval), that gate
       * is the approval and Stagecraft adds none. An empty list turns
       * Stagecraft's own approvals off.
       * @default ["production"]
       */
      approvalRequired?: string[];
    };
  };
}
