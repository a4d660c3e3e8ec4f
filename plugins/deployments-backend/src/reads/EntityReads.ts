import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type {
  ChangeDiff,
  EnvironmentsResponse,
  TimelineResponse,
  diffQuerySchema,
  environmentsQuerySchema,
  timelineQuerySchema,
} from '@stagecraft/plugin-deployments-common';
import type { z } from 'zod';
import type { DeploymentStore } from '../database/DeploymentStore';
import type { EntityInView } from '../entities/visibleEntity';
import type { DeploymentPolicies } from '../policy/PromotionPolicy';
import type { EntitySources } from '../sources/EntitySources';
import { changeDiff, emptyDiff } from './ChangeDiffs';
import { withIncludes } from './EnvironmentIncludes';
import { environmentLanes } from './EnvironmentLanes';

/**
 * The reads of one entity that the REST routes and the registry's actions
 * both answer: its environment lanes, its timeline and a change diff, from
 * the store (the diff from the change source, cached). An entity that no
 * provider recognises gets an empty answer with the reason.
 */
export class EntityReads {
  constructor(
    private readonly options: {
      store: DeploymentStore;
      sources: EntitySources;
      policies: DeploymentPolicies;
      permissions: PermissionsService;
    },
  ) {}

  /** The lanes, plus what `include` asks for (the caller's permissions, the timeline's first page). */
  async environments(
    view: EntityInView,
    query: z.output<typeof environmentsQuerySchema>,
    credentials: BackstageCredentials,
  ): Promise<EnvironmentsResponse> {
    const { store, sources, policies, permissions } = this.options;
    const { entity, entityRef, path } = view;
    // Only the lanes need the entity's sources (a read of its targets); what
    // `include` asks for is read beside that read, not after it.
    const entitySources = sources.of(entity);
    const lanes: Promise<EnvironmentsResponse> = entitySources.then(
      async found =>
        found.isEmpty
          ? {
              entityRef,
              environments: [],
              sync: [],
              reason: sources.noSourceReason(entityRef),
            }
          : environmentLanes({
              store,
              entity,
              entityRef,
              path,
              policies,
              sources: found,
            }),
    );
    return query.include?.length
      ? withIncludes(lanes, {
          entityRef,
          include: query.include,
          timelineLimit: query.timelineLimit,
          path,
          noSourceReason: reasonIfNoSource(entitySources, () =>
            sources.noSourceReason(entityRef),
          ),
          store,
          permissions,
          credentials,
        })
      : lanes;
  }

  async timeline(
    view: EntityInView,
    query: z.output<typeof timelineQuerySchema>,
  ): Promise<TimelineResponse> {
    const { store, sources } = this.options;
    const { entity, entityRef, path } = view;
    const unknown = (query.environment ?? []).filter(
      name => !path.includes(name),
    );
    if (unknown.length > 0) {
      throw new InputError(
        `environment '${unknown.join(
          ', ',
        )}' is not on the promotion path of ${entityRef} (${path.join(', ')})`,
      );
    }
    const environments = query.environment?.length ? query.environment : path;
    if ((await sources.of(entity)).isEmpty) {
      return {
        entityRef,
        environments,
        rows: [],
        reason: sources.noSourceReason(entityRef),
      };
    }
    const page = await store.getTimeline(entityRef, {
      environments,
      limit: query.limit,
      cursor: query.cursor,
      since: query.since,
      until: query.until,
      outcome: query.outcome,
    });
    return { entityRef, environments, ...page };
  }

  async diff(
    view: EntityInView,
    query: z.output<typeof diffQuerySchema>,
  ): Promise<ChangeDiff> {
    const { store, sources } = this.options;
    const { entity, entityRef, path } = view;
    const entitySources = await sources.of(entity);
    if (entitySources.isEmpty) {
      return emptyDiff({
        entityRef,
        from: { ref: query.from, sha: '' },
        to: { ref: query.to, sha: '' },
        reason: sources.noSourceReason(entityRef),
      });
    }
    return changeDiff({
      store,
      entity,
      entityRef,
      path,
      sources: entitySources,
      from: query.from,
      to: query.to,
    });
  }
}

/**
 * Why there is nothing to show, once the entity's sources are read: only when
 * no provider knows it. A failed read is the lanes' to report (the answer
 * fails with it); this copy of it is marked handled, as not every `include`
 * waits for it.
 */
function reasonIfNoSource(
  entitySources: Promise<{ isEmpty: boolean }>,
  reason: () => string,
): Promise<string | undefined> {
  const answer = entitySources.then(found =>
    found.isEmpty ? reason() : undefined,
  );
  answer.catch(() => {});
  return answer;
}
