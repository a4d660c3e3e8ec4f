import { InputError } from '@backstage/errors';
import type {
  Deployment,
  RollbackInfo,
  Version,
} from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import type { EnvironmentState } from '../DeploymentStore';
import { splitProviderId } from '../providerId';
import { compareNewestFirst, newestDeploymentFirst } from './deploymentOrder';
import { toVersion, versionColumnNames } from '../versionColumns';
import { toMillis } from '../dbTime';
import { DeploymentRow, toDeployments } from './deploymentRows';
import { normaliseSha } from './versionRules';
import { preparedRaw, rowsOf } from '../preparedStatements';

/** A row of the lanes' look-ups: which environment and slot it fills. */
export interface LaneRow {
  environment: string;
  slot: 'current' | 'latest';
  row: DeploymentRow;
}

/**
 * Each environment's current deployment (the newest whose latest status is
 * success: GitHub does not reliably mark superseded deployments inactive,
 * notably in production) and latest attempt (the newest of any state): two
 * single-row index look-ups per environment, sent as one statement.
 */
export async function laneRows(
  db: Knex,
  entityRef: string,
  environments: string[],
): Promise<LaneRow[]> {
  if (environments.length === 0) return [];
  const lookups = environments.flatMap(environment => [
    { environment, slot: 'current' as const },
    { environment, slot: 'latest' as const },
  ]);
  const rows = await newestPerLookup(
    db,
    lookups.map(({ environment, slot }) => ({
      where: `entity_ref = ? AND environment = ?${
        slot === 'current' ? " AND state = 'success'" : ''
      }`,
      bindings: [entityRef, environment],
    })),
    1,
  );
  return rows.map(({ lookup, ...row }) => ({
    ...lookups[Number(lookup)],
    row: row as DeploymentRow,
  }));
}

/**
 * The attempt just before each environment's current deployment, where it
 * was rolled back to the version running now (what runs came back through
 * that roll back), as a deployment: one index look-up per environment that
 * runs something, sent as one statement.
 */
export async function rolledBackBeforeCurrent(
  db: Knex,
  entityRef: string,
  lanes: LaneRow[],
): Promise<Map<string, Deployment>> {
  const found = new Map<string, Deployment>();
  const withCurrent = lanes.filter(lane => lane.slot === 'current');
  if (withCurrent.length === 0) return found;
  // Current itself, and attempts created in the same instant that come
  // after it, may be among each look-up's three.
  const rows = await newestPerLookup(
    db,
    withCurrent.map(({ environment, row }) => ({
      where: 'entity_ref = ? AND environment = ? AND created_at <= ?',
      bindings: [entityRef, environment, new Date(toMillis(row.created_at)!)],
    })),
    3,
  );
  // The newest row at or before current's start that is not current itself
  // (a union keeps no order: sort again).
  rows.sort(compareNewestFirst);
  const candidates = new Map<number, DeploymentRow>();
  for (const row of rows) {
    const lookup = Number(row.lookup);
    if (
      compareNewestFirst(row, withCurrent[lookup].row) > 0 &&
      !candidates.has(lookup)
    ) {
      candidates.set(lookup, row);
    }
  }
  // Kept when it was rolled back to the version current runs.
  const kept = [...candidates.entries()].filter(([lookup, row]) => {
    if (!row.rollback_info) return false;
    const rollback: RollbackInfo = JSON.parse(row.rollback_info);
    return rollback.restoredVersion?.sha === withCurrent[lookup].row.sha;
  });
  if (kept.length === 0) return found;
  const deployments = await toDeployments(
    db,
    kept.map(([, row]) => row),
  );
  kept.forEach(([lookup], index) => {
    found.set(withCurrent[lookup].environment, deployments[index]);
  });
  return found;
}

/**
 * The newest `limit` deployments of each look-up (a condition on
 * `deployments`), in one statement, each row tagged with the index of its
 * look-up in `lookup`. Each look-up is wrapped, because SQLite allows no
 * ORDER BY/LIMIT on a bare UNION member; the text depends only on the
 * conditions, so on PostgreSQL each connection parses it once.
 */
async function newestPerLookup(
  db: Knex,
  lookups: Array<{ where: string; bindings: Knex.RawBinding[] }>,
  limit: number,
): Promise<Array<DeploymentRow & { lookup: number | string }>> {
  const sql = lookups
    .map(
      ({ where }, index) =>
        `SELECT * FROM (SELECT *, ${index} AS lookup FROM deployments
           WHERE ${where}
           ORDER BY ${newestDeploymentFirst()} LIMIT ${limit}) AS lookup_${index}`,
    )
    .join(' UNION ALL ');
  return rowsOf(
    await preparedRaw(
      db,
      sql,
      lookups.flatMap(({ bindings }) => bindings),
    ),
  );
}

/** The environments' states from the lanes' rows and their deployments. */
export function environmentStates(
  environments: string[],
  lanes: LaneRow[],
  deployments: Deployment[],
  rolledBack: Map<string, Deployment>,
): Record<string, EnvironmentState> {
  const result: Record<string, EnvironmentState> = Object.fromEntries(
    environments.map(environment => [environment, {}]),
  );
  lanes.forEach(({ environment, slot }, index) => {
    result[environment][slot] = deployments[index];
  });
  for (const [environment, deployment] of rolledBack) {
    result[environment].rolledBackBeforeCurrent = deployment;
  }
  return result;
}

/** The reads of deployments and versions that pages and policies make. */
export class KnexDeploymentQueries {
  constructor(private readonly db: Knex) {}

  async getEnvironmentStates(
    entityRef: string,
    environments: string[],
  ): Promise<Record<string, EnvironmentState>> {
    const found = await laneRows(this.db, entityRef, environments);
    // The deployments' statuses, links and names, and the attempts before
    // each current deployment, side by side.
    const [deployments, rolledBack] = await Promise.all([
      toDeployments(
        this.db,
        found.map(({ row }) => row),
      ),
      rolledBackBeforeCurrent(this.db, entityRef, found),
    ]);
    return environmentStates(environments, found, deployments, rolledBack);
  }

  async markStoppedBy(
    entityRef: string,
    deploymentId: string,
    stop: { by: string; reason?: string },
  ): Promise<boolean> {
    const key = splitProviderId(deploymentId);
    if (!key) return false;
    const where = {
      entity_ref: entityRef,
      provider: key.provider,
      provider_deployment_id: key.providerId,
    };
    const row: DeploymentRow | undefined = await this.db('deployments')
      .where(where)
      .first();
    if (!row) return false;
    const stored: RollbackInfo | undefined = row.rollback_info
      ? JSON.parse(row.rollback_info)
      : undefined;
    if (stored?.by) return false;
    const rollback: RollbackInfo = {
      ...stored,
      automatic: false,
      by: stop.by,
      ...(stop.reason ? { reason: stop.reason } : {}),
    };
    const marked = await this.db('deployments')
      .where(where)
      .where(q =>
        row.rollback_info === null
          ? q.whereNull('rollback_info')
          : q.where('rollback_info', row.rollback_info),
      )
      .update({ rollback_info: JSON.stringify(rollback) });
    return marked > 0;
  }

  async markRolledBack(
    entityRef: string,
    environment: string,
    rollback: RollbackInfo & { restoredVersion: Version },
  ): Promise<boolean> {
    const restored = normaliseSha(rollback.restoredVersion.sha);
    const running: DeploymentRow | undefined = await this.db('deployments')
      .where({ entity_ref: entityRef, environment, state: 'success' })
      .orderByRaw(newestDeploymentFirst())
      .first();
    if (!running || running.sha === restored || running.rollback_info) {
      return false;
    }
    const marked = await this.db('deployments')
      .where({ id: running.id })
      .whereNull('rollback_info')
      .update({ rollback_info: JSON.stringify(rollback) });
    return marked > 0;
  }

  /** A deployment of the entity by Stagecraft id; another entity's deployment is not found. */
  async getDeployment(
    entityRef: string,
    id: string,
  ): Promise<Deployment | undefined> {
    const key = splitProviderId(id);
    if (!key) return undefined;
    const row: DeploymentRow | undefined = await this.db('deployments')
      .where({
        entity_ref: entityRef,
        provider: key.provider,
        provider_deployment_id: key.providerId,
      })
      .first();
    if (!row) return undefined;
    const [deployment] = await toDeployments(this.db, [row]);
    return deployment;
  }

  async findVersion(
    entityRef: string,
    ref: string,
  ): Promise<Version | undefined> {
    const trimmed = ref.trim();
    if (trimmed.startsWith('artifact:')) {
      const byKey = await this.db('versions')
        .where({ entity_ref: entityRef, sha: trimmed })
        .first();
      return byKey ? toVersion(byKey) : undefined;
    }
    if (/^[0-9a-f]{7,64}$/i.test(trimmed)) {
      const matches = await this.db('versions')
        .where('entity_ref', entityRef)
        .where('sha', 'like', `${trimmed.toLowerCase()}%`)
        .limit(2);
      if (matches.length > 1) {
        throw new InputError(
          `Version '${ref}' is ambiguous for ${entityRef}: give more of the commit SHA`,
        );
      }
      if (matches.length === 1) return toVersion(matches[0]);
    }
    const tagged = await this.db('versions')
      .where({ entity_ref: entityRef, tag: trimmed })
      .orderBy('first_seen_at', 'desc')
      .first();
    return tagged ? toVersion(tagged) : undefined;
  }

  async hasSucceeded(
    entityRef: string,
    environment: string,
    sha: string,
  ): Promise<boolean> {
    const row = await this.succeededDeployments(entityRef, environment)
      .where('d.sha', normaliseSha(sha))
      .first('d.id');
    return row !== undefined;
  }

  async previousSuccessfulVersion(
    entityRef: string,
    environment: string,
  ): Promise<Version | undefined> {
    const { current } = (
      await this.getEnvironmentStates(entityRef, [environment])
    )[environment];
    const query = this.succeededDeployments(entityRef, environment);
    if (current) query.whereNot('d.sha', current.version.sha);
    const row = await query
      .orderByRaw(newestDeploymentFirst('d'))
      .first(versionColumnNames('d'));
    return row ? toVersion(row) : undefined;
  }

  /**
   * Deployments that succeeded in the environment: latest status success, or
   * success followed by inactive. GitHub marks a deployment inactive when a
   * newer one replaces it, which does not undo that the version succeeded.
   */
  private succeededDeployments(entityRef: string, environment: string) {
    return this.db('deployments as d')
      .where({ 'd.entity_ref': entityRef, 'd.environment': environment })
      .where(inner =>
        inner
          .where('d.state', 'success')
          .orWhere(superseded =>
            superseded
              .where('d.state', 'inactive')
              .whereExists(
                this.db('deployment_statuses as s')
                  .select(this.db.raw('1'))
                  .whereRaw('s.deployment_id = d.id')
                  .where('s.state', 'success'),
              ),
          ),
      );
  }
}
