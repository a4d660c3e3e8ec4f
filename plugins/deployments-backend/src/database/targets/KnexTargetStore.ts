import { InputError } from '@backstage/errors';
import type { ProviderTarget } from '@stagecraft/plugin-deployments-node';
import { Knex } from 'knex';
import type { StoredTarget } from '../DeploymentStore';
import { ROW_BATCH_SIZE, chunk, compact } from '../rowValues';

interface TargetRow {
  entity_ref: string;
  provider: string;
  target_key: string;
  routing_keys: string;
  environments: string;
  environment_names: string | null;
  change_source: boolean | number | null;
  settings: string | null;
  capabilities: string | null;
  updated_at: Date;
}

interface RouteRow {
  provider: string;
  routing_key: string;
  entity_ref: string;
  target_key: string;
}

/**
 * The targets of entities as sync last found them, so webhooks on any
 * replica can route an event to its entities and map its environment names.
 * Routing keys are rows of their own (`provider_target_routes`), so a
 * webhook's look-up is an index seek, never a scan of JSON.
 *
 * Replacing targets also forgets the sync state and the environment
 * protection of targets that are gone, so the UI shows no staleness of a
 * target the entity no longer has.
 */
export class KnexTargetStore {
  constructor(private readonly db: Knex) {}

  /** Replaces every stored target of the provider. */
  async setTargets(provider: string, targets: StoredTarget[]): Promise<void> {
    for (const target of targets) {
      if (target.provider !== provider) {
        throw new InputError(
          `Target '${target.target?.key}' of ${target.entityRef} belongs to provider '${target.provider}', not '${provider}'`,
        );
      }
    }
    const rows = targetRows(
      provider,
      targets.map(t => ({ entityRef: t.entityRef, target: t.target })),
    );
    await this.db.transaction(async tx => {
      await tx('provider_target_routes').where({ provider }).delete();
      await tx('provider_targets').where({ provider }).delete();
      await insertTargets(tx, rows);
      await forgetGoneTargets(tx, { provider });
    });
  }

  /** Replaces the stored targets of one entity and provider. */
  async setEntityTargets(
    entityRef: string,
    provider: string,
    targets: ProviderTarget[],
  ): Promise<void> {
    const rows = targetRows(
      provider,
      targets.map(target => ({ entityRef, target })),
    );
    await this.db.transaction(async tx => {
      const scope = { entity_ref: entityRef, provider };
      await tx('provider_target_routes').where(scope).delete();
      await tx('provider_targets').where(scope).delete();
      await insertTargets(tx, rows);
      await forgetGoneTargets(tx, { provider, entityRef });
    });
  }

  /** The targets whose routing keys include `routingKey`, with their entities. */
  async targetsForRoutingKey(
    provider: string,
    routingKey: string,
  ): Promise<StoredTarget[]> {
    const rows: TargetRow[] = await this.db('provider_target_routes as r')
      .join('provider_targets as t', join =>
        join
          .on('t.entity_ref', 'r.entity_ref')
          .andOn('t.provider', 'r.provider')
          .andOn('t.target_key', 'r.target_key'),
      )
      .where({ 'r.provider': provider, 'r.routing_key': routingKey })
      .orderBy(['t.entity_ref', 't.target_key'])
      .select('t.*');
    return rows.map(toStoredTarget);
  }

  /** Every stored target of the entity, of every provider. */
  async targetsOfEntity(entityRef: string): Promise<StoredTarget[]> {
    const rows: TargetRow[] = await this.db('provider_targets')
      .where({ entity_ref: entityRef })
      .orderBy(['provider', 'target_key']);
    return rows.map(toStoredTarget);
  }
}

/** Validated rows, one per entity and target key (the last one given wins). */
function targetRows(
  provider: string,
  targets: Array<{ entityRef: string; target: ProviderTarget }>,
): Array<{ target: TargetRow; routes: RouteRow[] }> {
  const now = new Date();
  const rows = new Map<string, { target: TargetRow; routes: RouteRow[] }>();
  for (const { entityRef, target } of targets) {
    validateTarget(entityRef, provider, target);
    const routingKeys = [...new Set(target.routingKeys)];
    rows.set(`${entityRef}\u0000${target.key}`, {
      target: {
        entity_ref: entityRef,
        provider,
        target_key: target.key,
        routing_keys: JSON.stringify(target.routingKeys),
        environments: JSON.stringify(target.environments),
        environment_names: target.environmentNames
          ? JSON.stringify(target.environmentNames)
          : null,
        change_source: target.changeSource ?? null,
        settings: target.settings ? JSON.stringify(target.settings) : null,
        capabilities: target.capabilities
          ? JSON.stringify(target.capabilities)
          : null,
        updated_at: now,
      },
      routes: routingKeys.map(routingKey => ({
        provider,
        routing_key: routingKey,
        entity_ref: entityRef,
        target_key: target.key,
      })),
    });
  }
  return [...rows.values()];
}

function validateTarget(
  entityRef: string,
  provider: string,
  target: ProviderTarget,
) {
  const what = `target '${target?.key}' of ${entityRef} from '${provider}'`;
  if (typeof target?.key !== 'string' || target.key.length === 0) {
    throw new InputError(
      `A target of ${entityRef} from '${provider}' has no key`,
    );
  }
  if (
    !Array.isArray(target.routingKeys) ||
    target.routingKeys.some(key => typeof key !== 'string' || key.length === 0)
  ) {
    throw new InputError(
      `Invalid routing keys of ${what}: expected non-empty strings`,
    );
  }
  if (
    target.environments !== 'all' &&
    !(
      Array.isArray(target.environments) &&
      target.environments.every(name => typeof name === 'string')
    )
  ) {
    throw new InputError(
      `Invalid environments of ${what}: expected 'all' or a list of names`,
    );
  }
}

async function insertTargets(
  tx: Knex.Transaction,
  rows: Array<{ target: TargetRow; routes: RouteRow[] }>,
) {
  for (const batch of chunk(
    rows.map(row => row.target),
    ROW_BATCH_SIZE,
  )) {
    await tx('provider_targets').insert(batch);
  }
  for (const batch of chunk(
    rows.flatMap(row => row.routes),
    ROW_BATCH_SIZE,
  )) {
    await tx('provider_target_routes').insert(batch);
  }
}

/** Deletes the sync state and protection of the provider's targets that are no longer stored. */
async function forgetGoneTargets(
  tx: Knex.Transaction,
  scope: { provider: string; entityRef?: string },
) {
  for (const table of ['sync_state', 'environment_protection']) {
    const gone = tx(table)
      .where(`${table}.provider`, scope.provider)
      .whereNotExists(
        tx('provider_targets as t')
          .select(tx.raw('1'))
          .whereRaw(`t.entity_ref = ${table}.entity_ref`)
          .whereRaw(`t.provider = ${table}.provider`)
          .whereRaw(`t.target_key = ${table}.target_key`),
      );
    if (scope.entityRef !== undefined) {
      gone.where(`${table}.entity_ref`, scope.entityRef);
    }
    await gone.delete();
  }
}

function toStoredTarget(row: TargetRow): StoredTarget {
  const parse = (value: string | null) =>
    value === null ? undefined : JSON.parse(value);
  return {
    entityRef: row.entity_ref,
    provider: row.provider,
    target: compact({
      key: row.target_key,
      routingKeys: JSON.parse(row.routing_keys),
      environments: JSON.parse(row.environments),
      environmentNames: parse(row.environment_names),
      changeSource:
        row.change_source === null ? undefined : Boolean(row.change_source),
      settings: parse(row.settings),
      capabilities: parse(row.capabilities),
    }),
  };
}
