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
     * The promotion-skew audit (`GET …/skew`, `GET /skew`): a deployment
     * into an environment after the first on the path is reported when its
     * version never succeeded in the environment before it, or did so less
     * than the minimum soak before the deployment started.
     */
    skew?: {
      /**
       * How long a version must have succeeded in the previous environment
       * before it is deployed into the next one. Zero reports only skips.
       * @default { minutes: 30 }
       */
      minimumSoak?: HumanDuration | string;
      /** Per environment (the one deployed into), e.g. `production: { minimumSoak: { hours: 4 } }`. */
      environments?: {
        [environment: string]: {
          minimumSoak?: HumanDuration | string;
        };
      };
    };

    /**
     * What the plugin's routes read of the catalog is kept per caller and
     * entity for `ttl`, so the requests a page makes in a row ask the
     * catalog once. A caller who loses read access to an entity is refused
     * within `ttl`; `{ seconds: 0 }` asks the catalog on every request.
     * Write actions check their permission on every call regardless.
     */
    entityCache?: {
      /** @default { seconds: 10 } */
      ttl?: HumanDuration | string;
    };

    /**
     * Delivery metrics (`GET …/metrics`, `GET /metrics?owner=`): how a
     * hotfix is told. A change that succeeded in the last environment and
     * was followed there, as the next change, by a hotfix within the window
     * counts as a change failure. See docs/metrics.md.
     */
    metrics?: {
      /** @default { hours: 24 } */
      hotfixWindow?: HumanDuration | string;
      /**
       * Regular expression (case-insensitive) over the version's commit title and tag.
       * @default "^\\s*(hotfix|revert)\\b|^merge pull request #\\d+ from \\S+/(hotfix|revert)"
       */
      hotfixPattern?: string;
    };

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
      /** Dedupe keys of the notifications sent. @default { days: 30 } */
      sentNotifications?: HumanDuration;
      /** Finished deployments older than this; unset keeps them for ever. */
      deployments?: HumanDuration;
      /** Audit entries older than this; unset keeps them for ever. */
      auditLog?: HumanDuration;
      /** @default { frequency: { hours: 1 }, timeout: { minutes: 15 }, initialDelay: { minutes: 10 } } */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };

    /**
     * Live updates of open Deployments views: a signal per entity whose
     * ledger changed. Unset: on when the signals backend plugin runs in this
     * backend. See docs/live-updates-and-notifications.md.
     */
    signals?: {
      /** `true` also when signals run in another backend; `false` turns them off. */
      enabled?: boolean;
    };

    /**
     * Notifications through the Backstage notifications plugin. Unset
     * `enabled`: on when the notifications backend plugin runs in this
     * backend. Each kind can be turned off on its own.
     */
    notifications?: {
      /** `true` also when notifications run in another backend; `false` turns them all off. */
      enabled?: boolean;
      /** A gate waits: to its reviewers, or the entity's owners. @default true */
      approvalNeeded?: boolean;
      /** A gate was approved or rejected in the portal: to who asked. @default true */
      decided?: boolean;
      /** A deployment failed or was rolled back in the last environment: to the owners. @default true */
      failed?: boolean;
    };

    /**
     * Systems that push their deployments to `POST /api/deployments/events`
     * (Jenkins, GitLab CI, Buildkite, Argo CD notifications), each with a
     * static token of its own in `backend.auth.externalAccess`. See
     * docs/providers/push.md.
     */
    push?: {
      sources?: Array<{
        /**
         * The provider id its deployments are stored and shown under, e.g.
         * `jenkins`: lowercase letters, digits and dashes; not the id of an
         * installed provider.
         */
        id: string;
        /** The `subject` of the source's token in `backend.auth.externalAccess`. */
        subject: string;
        /**
         * The source's environment names mapped to the entities' names,
         * e.g. `{ prod: production }`; names not listed are kept.
         */
        environmentNames?: { [sourceName: string]: string };
      }>;
    };

    /**
     * Freeze windows: while one is on, promote, approve and roll back into
     * the environments it covers are refused (rule `freeze`), unless the
     * caller holds `deployments.override` and gives an `overrideReason`.
     * A bad entry stops the backend at start-up with a message naming it.
     * Entities add their own with the `stagecraft.io/freeze` annotation.
     */
    freezes?: Array<{
      /** Unique name, shown in lanes and refusals; default `deployments.freezes[i]`. */
      name?: string;
      /** Environments covered; absent: every environment. */
      environments?: string[];
      /** Cover only entities of these systems (default kind system, namespace default). */
      system?: string | string[];
      /** Cover only entities owned by these (default kind group, namespace default). */
      owner?: string | string[];
      /** Cover only these entities (default kind component, namespace default). */
      entity?: string | string[];
      /** RFC 5545 RRULE of the window's starts, e.g. `FREQ=WEEKLY;BYDAY=FR;BYHOUR=17`. */
      rrule?: string;
      /** Local date-time (ISO 8601) of a one-off window's start, or a rule's first start. */
      start?: string;
      /** Local date-time (ISO 8601) of a one-off window's end. */
      end?: string;
      /** How long each window lasts: `{ days: 2, hours: 16 }`, `P2DT16H` or `64h`. */
      duration?: HumanDuration | string;
      /** IANA time zone of the times and the rule, e.g. `Europe/Berlin`. */
      timeZone: string;
      /** Why deployments stop, shown with the freeze. */
      reason: string;
    }>;

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
