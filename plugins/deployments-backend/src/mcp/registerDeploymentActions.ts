import type {
  AuditorService,
  BackstageCredentials,
  BackstageUserPrincipal,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import type { Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  diffQuerySchema,
  environmentsQuerySchema,
  timelineQuerySchema,
} from '@stagecraft/plugin-deployments-common';
import type { DeploymentStore } from '../database/DeploymentStore';
import {
  DeploymentActionName,
  createDeploymentActionRunner,
} from '../actions/runDeploymentAction';
import type { ActionOutcome } from '../actions/outcomes';
import { parseInput } from '../entities/parseInput';
import { entityInViewLoader, entityParamsOf } from '../entities/visibleEntity';
import { statusOf } from '../http/actionOutcomes';
import type { DeploymentPolicies } from '../policy/PromotionPolicy';
import { EntityReads } from '../reads/EntityReads';
import { approvableGates } from '../reads/PendingApprovals';
import {
  DeploymentProviderSource,
  EntitySources,
} from '../sources/EntitySources';
import {
  changeDiffSchema,
  entityRefInput,
  environmentsSchema,
  idempotencyKeyInput,
  pendingGateSchema,
  timelineSchema,
  writeOutcomeSchema,
} from './actionSchemas';

/** What the registry's channel is called in auditor events. */
export const ACTIONS_REGISTRY_CHANNEL = 'actions-registry';

/**
 * Registers Stagecraft's actions in Backstage's actions registry (served to
 * MCP clients by the MCP actions backend). The reads answer exactly what the
 * REST API answers; the writes run through the same runner as the REST
 * routes: as the calling user, permission- and policy-checked by the action,
 * at most once per idempotency key (shared with the REST API: a key replays
 * whichever edge used it first), in the audit log and as an auditor event.
 */
export function registerDeploymentActions(options: {
  actionsRegistry: ActionsRegistryService;
  logger: LoggerService;
  store: DeploymentStore;
  providers: DeploymentProviderSource;
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
  policies: DeploymentPolicies;
  /** The entity's promotion path: annotation, else config, else the default. */
  promotionPathOf(entity: Entity): string[];
}): void {
  const { actionsRegistry, store, catalog, permissions, policies } = options;
  const sources = new EntitySources({
    store,
    providers: options.providers,
    logger: options.logger,
  });
  const entityInView = entityInViewLoader({
    catalog,
    promotionPathOf: options.promotionPathOf,
  });
  const reads = new EntityReads({ store, sources, policies, permissions });
  const runDeploymentAction = createDeploymentActionRunner({
    store,
    permissions,
    policies,
    auditor: options.auditor,
    logger: options.logger,
    sources,
    entityInView,
  });

  /** The entity an input names, as the caller may see it. */
  const inView = (entityRef: string, credentials: BackstageCredentials) =>
    entityInView(entityParamsOf(entityRef), credentials);

  actionsRegistry.register({
    name: 'list-environments',
    title: 'List deployment environments',
    description: `Lists an entity's deployment environments in promotion order (for example dev, staging, production): the version that runs in each (tag and commit), its status and when it was deployed, the newest attempt, the gates waiting for an approval, how far each environment trails the one before it, the provider that deploys there and what it can do, and how fresh the data is. Also says which deployment actions the caller may take on the entity (permissions). Read from Stagecraft's store; nothing is changed.`,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z => z.object({ entityRef: entityRefInput(z) }).strict(),
      output: z => environmentsSchema(z),
    },
    examples: [
      {
        title: 'What runs where for payments-api',
        input: { entityRef: 'component:default/payments-api' },
      },
    ],
    action: async ({ input, credentials }) => {
      const query = parseInput(
        environmentsQuerySchema,
        { include: ['permissions'] },
        'list-environments input',
      );
      const view = await inView(input.entityRef, credentials);
      return {
        output: asOutput(await reads.environments(view, query, credentials)),
      };
    },
  });

  actionsRegistry.register({
    name: 'get-timeline',
    title: 'Get the promotion timeline',
    description: `The promotion timeline of an entity: one row per version, newest first, with when and how that version reached each environment (state, start, duration, who, attempts, strategy, roll backs). Paged: pass the answer's nextCursor as cursor for the next page. Optionally limited to some environments and a time range.`,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z
          .object({
            entityRef: entityRefInput(z),
            environments: z
              .array(z.string())
              .optional()
              .describe(
                'Environments to show, from the promotion path; all of them when absent',
              ),
            limit: z
              .number()
              .int()
              .optional()
              .describe('Rows per page, 1 to 200 (default 50)'),
            cursor: z
              .string()
              .optional()
              .describe('The nextCursor of the previous page'),
            since: z
              .string()
              .optional()
              .describe(
                'Only versions deployed at or after this ISO-8601 time',
              ),
            until: z
              .string()
              .optional()
              .describe('Only versions deployed before this ISO-8601 time'),
          })
          .strict(),
      output: z => timelineSchema(z),
    },
    action: async ({ input, credentials }) => {
      const query = parseInput(
        timelineQuerySchema,
        {
          environment: input.environments,
          limit: input.limit,
          cursor: input.cursor,
          since: input.since,
          until: input.until,
        },
        'get-timeline input',
      );
      const view = await inView(input.entityRef, credentials);
      return { output: asOutput(await reads.timeline(view, query)) };
    },
  });

  actionsRegistry.register({
    name: 'get-change-diff',
    title: 'Get the changes between two environments',
    description: `What changed between two environments or versions of an entity: the commits (author, date, message, pull request), the changed files with counts, and whether "to" is ahead of or behind "from". "from" and "to" are each an environment name (its current version) or a version (commit SHA or tag). For example from production to staging shows what promoting staging's version into production would ship.`,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z
          .object({
            entityRef: entityRefInput(z),
            from: z
              .string()
              .describe('An environment name, a commit SHA or a tag'),
            to: z
              .string()
              .describe('An environment name, a commit SHA or a tag'),
          })
          .strict(),
      output: z => changeDiffSchema(z),
    },
    action: async ({ input, credentials }) => {
      const query = parseInput(
        diffQuerySchema,
        { from: input.from, to: input.to },
        'get-change-diff input',
      );
      const view = await inView(input.entityRef, credentials);
      return { output: asOutput(await reads.diff(view, query)) };
    },
  });

  actionsRegistry.register({
    name: 'list-pending-approvals',
    title: 'List deployments waiting for my approval',
    description: `The deployments across all entities that wait for a decision the caller may make: gates of the providers (a GitHub environment review, a CodePipeline manual approval) and promotions Stagecraft holds, on entities where the caller holds deployments.approve, except those the caller asked for. Each gate's id is what approve and reject take. Needs a signed-in user.`,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z => z.object({}).strict(),
      output: z => z.object({ gates: z.array(pendingGateSchema(z)) }),
    },
    action: async ({ credentials }) => {
      const user = asUser(credentials, 'list-pending-approvals');
      const gates = await approvableGates({
        store,
        catalog,
        permissions,
        credentials: user,
        actor: user.principal.userEntityRef,
      });
      return { output: { gates: asOutput(gates) } };
    },
  });

  /** Runs a write as the REST route does and describes its outcome. */
  const write = async (
    action: DeploymentActionName,
    credentials: BackstageCredentials,
    input: { entityRef: string; idempotencyKey: string },
    body: Record<string, unknown>,
  ) => {
    const user = asUser(credentials, action);
    const { outcome, replayed } = await runDeploymentAction({
      credentials: user,
      entity: input.entityRef,
      action,
      body,
      idempotencyKey: input.idempotencyKey,
      audit: { via: ACTIONS_REGISTRY_CHANNEL },
      names: { idempotencyKey: 'idempotencyKey', body: `${action} input` },
    });
    return { output: describeOutcome(outcome, replayed) };
  };

  const writeAttributes = {
    readOnly: false,
    destructive: true,
    idempotent: true,
  } as const;

  actionsRegistry.register({
    name: 'promote',
    title: 'Promote a version',
    description: `Promotes a version of an entity into an environment: by default the version that runs in the environment before it on the promotion path. Acts as the calling user: needs deployments.promote on the entity, and Stagecraft's policies apply (promotion order, one promotion at a time). Where the environment needs an approval, the promotion waits for another person (outcome "held") or for the provider's own gate; otherwise the provider starts it (outcome "executed"). A refusal is an outcome with the failed checks, not an error. Send a fresh idempotencyKey per intent and the same key to retry it.`,
    attributes: writeAttributes,
    schema: {
      input: z =>
        z
          .object({
            entityRef: entityRefInput(z),
            environment: z
              .string()
              .describe('The environment to promote into, e.g. staging'),
            version: z
              .string()
              .optional()
              .describe(
                "Commit SHA or tag; by default the previous environment's current version",
              ),
            comment: z.string().optional().describe('Why, for the audit log'),
            overrideReason: z
              .string()
              .optional()
              .describe(
                'With deployments.override: skip the promotion order rule, for this reason (audited)',
              ),
            idempotencyKey: idempotencyKeyInput(z),
          })
          .strict(),
      output: z => writeOutcomeSchema(z),
    },
    examples: [
      {
        title: 'Promote what runs in staging into production',
        input: {
          entityRef: 'component:default/payments-api',
          environment: 'production',
          comment: 'release 1.41.2',
          idempotencyKey: 'promote-payments-api-1.41.2-prod',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const { entityRef, idempotencyKey, ...body } = input;
      return write('promote', credentials, { entityRef, idempotencyKey }, body);
    },
  });

  actionsRegistry.register({
    name: 'rollback',
    title: 'Roll an environment back',
    description: `Rolls an environment of an entity back: by default to the newest version that succeeded there before the current one. Acts as the calling user: needs deployments.rollback on the entity; Stagecraft's policies apply. A refusal is an outcome with the failed checks, not an error. Send a fresh idempotencyKey per intent and the same key to retry it.`,
    attributes: writeAttributes,
    schema: {
      input: z =>
        z
          .object({
            entityRef: entityRefInput(z),
            environment: z
              .string()
              .describe('The environment to roll back, e.g. production'),
            version: z
              .string()
              .optional()
              .describe(
                'Commit SHA or tag to roll back to; by default the previous successful version there',
              ),
            comment: z.string().optional().describe('Why, for the audit log'),
            idempotencyKey: idempotencyKeyInput(z),
          })
          .strict(),
      output: z => writeOutcomeSchema(z),
    },
    action: async ({ input, credentials }) => {
      const { entityRef, idempotencyKey, ...body } = input;
      return write(
        'rollback',
        credentials,
        { entityRef, idempotencyKey },
        body,
      );
    },
  });

  for (const decision of ['approve', 'reject'] as const) {
    actionsRegistry.register({
      name: decision,
      title:
        decision === 'approve'
          ? 'Approve a pending deployment'
          : 'Reject a pending deployment',
      description: `${
        decision === 'approve' ? 'Approves' : 'Rejects'
      } a deployment that waits for a decision: a promotion Stagecraft holds (gate id stagecraft:<id>) or a provider's own gate (a GitHub environment review, a CodePipeline manual approval). Take the gate id from list-pending-approvals or list-environments. Acts as the calling user: needs deployments.approve on the entity; nobody decides a deployment they asked for, a comment is required, and a gate is decided once. A refusal is an outcome with the failed checks, not an error. Send a fresh idempotencyKey per intent and the same key to retry it.`,
      attributes: writeAttributes,
      schema: {
        input: z =>
          z
            .object({
              entityRef: entityRefInput(z),
              gateId: z
                .string()
                .describe('The pending gate to decide (its id)'),
              comment: z
                .string()
                .describe(
                  'Why, for the audit log and the requester (required)',
                ),
              idempotencyKey: idempotencyKeyInput(z),
            })
            .strict(),
        output: z => writeOutcomeSchema(z),
      },
      action: async ({ input, credentials }) => {
        const { entityRef, idempotencyKey, ...body } = input;
        return write(
          decision,
          credentials,
          { entityRef, idempotencyKey },
          body,
        );
      },
    });
  }
}

/**
 * A REST answer as a registry output. The answers' interfaces lack the index
 * signature that TypeScript infers for `passthrough` schemas; the registry
 * checks each output against its schema when the action returns it.
 */
function asOutput<T>(answer: object): T {
  return answer as T;
}

/** A write's outcome as the registry answers it. */
function describeOutcome(outcome: ActionOutcome, replayed: boolean) {
  const statusCode = statusOf(outcome);
  if ('response' in outcome) {
    const { request, checks } = outcome.response;
    const version = request.version.tag ?? request.version.sha.slice(0, 7);
    return {
      done: true,
      outcome: outcome.kind,
      statusCode,
      replayed,
      message: `${request.action} of ${version} into ${request.environment}: ${request.state}`,
      request,
      checks,
    };
  }
  return {
    done: false,
    outcome: outcome.kind,
    statusCode,
    replayed,
    message: outcome.message,
    ...(outcome.promotionRequest ? { request: outcome.promotionRequest } : {}),
    checks: outcome.checks,
  };
}

/** Actions in a person's name take user credentials only, as the REST routes do. */
function asUser(
  credentials: BackstageCredentials,
  action: string,
): BackstageCredentials<BackstageUserPrincipal> {
  const principal = credentials.principal as { type?: string };
  if (principal.type !== 'user') {
    throw new NotAllowedError(
      `${action} acts in a person's name and takes a user's credentials, not ${
        principal.type ?? 'unknown'
      } credentials`,
    );
  }
  return credentials as BackstageCredentials<BackstageUserPrincipal>;
}
