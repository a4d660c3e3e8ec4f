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
import { DeploymentRow, toDeployments } from './deploymentRows';
import { normaliseSha } from './versionRules';

/** The reads of deployments and versions that pages and policies make. */
export class KnexDeploymentQueries {
  constructor(private readonly db: Knex) {}

  async getEnvironmentStates(
    entityRef: string,
    environments: string[],
  ): Promise<Record<string, EnvironmentState>> {
    if (environments.length === 0) return {};
    // Two single-row index look-ups per environment, sent as one statement.
    // GitHub does not reliably mark superseded deployments inactive (notably
    // in production), so "current" is the newest deployment whose latest
    // status is success, and "latest" the newest attempt of any state.
    const lookups = environments.flatMap(environment => [
      { environment, slot: 'current' as const },
      { environment, slot: 'latest' as const },
    ]);
    const [first, ...rest] = lookups.map(({ environment, slot }, index) => {
      const newest = this.db('deployments')
        .select('*', this.db.raw('? as lookup', [index]))
        .where({ entity_ref: entityRef, environment });
      if (slot === 'current') newest.where('state', 'success');
      newest.orderByRaw(newestDeploymentFirst()).limit(1);
      // Wrapped, because SQLite allows no ORDER BY/LIMIT on a bare UNION member.
      return this.db.select('*').from(newest.as(`lookup_${index}`));
    });
    const rows: Array<DeploymentRow & { lookup: number | string }> =
      await first.unionAll(rest);
    const deployments = await toDeployments(this.db, rows);
    const result: Record<string, EnvironmentState> = Object.fromEntries(
      environments.map(environment => [environment, {}]),
    );
    rows.forEach(({ lookup }, index) => {
      const { environment, slot } = lookups[Number(lookup)];
      result[environment][slot] = deployments[index];
    });
    await this.addRolledBackBeforeCurrent(entityRef, result);
    return result;
  }

  /**
   * The attempt just before each environment's current deployment, kept
   * when it was rolled back to the version running now: one index look-up
   * per environment that runs something, sent as one statement.
   */
  private async addRolledBackBeforeCurrent(
    entityRef: string,
    states: Record<string, EnvironmentState>,
  ) {
    const withCurrent = Object.entries(states).filter(
      ([, state]) => state.current,
    );
    if (withCurrent.length === 0) return;
    const lookups = withCurrent.map(([environment, state], index) => {
      const before = this.db('deployments')
        .select('*', this.db.raw('? as lookup', [index]))
        .where({ entity_ref: entityRef, environment })
        .where('created_at', '<=', new Date(state.current!.createdAt))
        .orderByRaw(newestDeploymentFirst())
        // Current itself, and attempts created in the same instant that
        // come after it, may be among them.
        .limit(3);
      return this.db.select('*').from(before.as(`before_${index}`));
    });
    const [first, ...rest] = lookups;
    const rows: Array<DeploymentRow & { lookup: number | string }> =
      await first.unionAll(rest);
    // The newest row at or before current's start that is not current itself
    // (a union keeps no order: sort again).
    rows.sort(compareNewestFirst);
    const candidates = new Map<number, DeploymentRow>();
    for (const row of rows) {
      const lookup = Number(row.lookup);
      const current = withCurrent[lookup][1].current!;
      const beforeCurrent =
        compareNewestFirst(row, {
          created_at: Date.parse(current.createdAt),
          provider: current.provider,
          provider_deployment_id: current.providerDeploymentId,
        }) > 0;
      if (beforeCurrent && !candidates.has(lookup)) {
        candidates.set(lookup, row);
      }
    }
    for (const [lookup, row] of candidates) {
      if (!row.rollback_info) candidates.delete(lookup);
    }
    if (candidates.size === 0) return;
    const entries = [...candidates.entries()];
    const deployments = await toDeployments(
      this.db,
      entries.map(([, row]) => row),
    );
    entries.forEach(([lookup], index) => {
      const [, state] = withCurrent[lookup];
      const candidate = deployments[index];
      if (
        candidate.rollback?.restoredVersion?.sha === state.current!.version.sha
      ) {
        state.rolledBackBeforeCurrent = candidate;
      }
    });
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
