import { InputError } from '@backstage/errors';
import type { DeploymentLink } from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import type { NewDeploymentLink } from '../DeploymentStore';
import { ROW_BATCH_SIZE, chunk, compact } from '../rowValues';
import { writeVersionSightings } from './versionSightings';
import { normaliseSha } from './versionRules';
import { oneOf, preparedRaw, rowsOf } from '../preparedStatements';

interface LinkRow {
  entity_ref: string;
  provider: string;
  provider_deployment_id: string;
  environment: string;
  sha: string;
  url: string | null;
  label: string | null;
}

/**
 * Where a provider that does not own an environment reported a rollout
 * there (GitHub Actions ran the `sam deploy` that AWS reports). The link
 * joins the owner's deployment by entity, environment and version; it is
 * never a deployment row of its own.
 */
export class KnexDeploymentLinks {
  constructor(private readonly db: Knex) {}

  /** Idempotent by (entity, provider, providerDeploymentId): a replay changes nothing. */
  async addDeploymentLinks(
    entityRef: string,
    links: NewDeploymentLink[],
  ): Promise<void> {
    const byKey = new Map<string, LinkRow>();
    for (const link of links) {
      for (const [field, value] of Object.entries({
        provider: link.provider,
        providerDeploymentId: link.providerDeploymentId,
        environment: link.environment,
        sha: link.sha,
      })) {
        if (typeof value !== 'string' || value.length === 0) {
          throw new InputError(
            `A deployment link of ${entityRef} has no ${field}`,
          );
        }
      }
      byKey.set(`${link.provider}\u0000${link.providerDeploymentId}`, {
        entity_ref: entityRef,
        provider: link.provider,
        provider_deployment_id: link.providerDeploymentId,
        environment: link.environment,
        sha: normaliseSha(link.sha),
        url: link.url ?? null,
        label: link.label ?? null,
      });
    }
    // What the linking provider knows of the commit (a GitHub tag) names the
    // owner's deployment of it too.
    const sightings = links.flatMap(link =>
      link.version && link.seenAt
        ? [
            {
              version: { ...link.version, sha: link.sha },
              createdAt: link.seenAt,
            },
          ]
        : [],
    );
    if (sightings.length > 0) {
      await writeVersionSightings(this.db, entityRef, sightings);
    }
    const now = new Date();
    for (const rows of chunk([...byKey.values()], ROW_BATCH_SIZE)) {
      await this.db('deployment_links')
        .insert(rows.map(row => ({ ...row, created_at: now })))
        .onConflict(['entity_ref', 'provider', 'provider_deployment_id'])
        .merge({
          environment: this.db.raw('excluded.environment'),
          sha: this.db.raw('excluded.sha'),
          url: this.db.raw('COALESCE(excluded.url, deployment_links.url)'),
          label: this.db.raw(
            'COALESCE(excluded.label, deployment_links.label)',
          ),
        });
    }
  }
}

/** The columns of a deployment that its links are found by. */
export type LinkedDeployment = Pick<
  LinkRow,
  'entity_ref' | 'environment' | 'sha' | 'provider' | 'provider_deployment_id'
>;

/**
 * The links of some deployments, by the deployment: links of the same
 * entity, environment and version, other than the deployment itself.
 */
export async function loadLinks(
  db: Knex,
  deployments: LinkedDeployment[],
): Promise<(deployment: LinkedDeployment) => DeploymentLink[]> {
  const shasByEntity = new Map<string, Set<string>>();
  for (const d of deployments) {
    const shas = shasByEntity.get(d.entity_ref) ?? new Set<string>();
    shas.add(d.sha);
    shasByEntity.set(d.entity_ref, shas);
  }
  const found = await Promise.all(
    [...shasByEntity].map(([entityRef, shas]) =>
      linkRowsOf(db, entityRef, [...shas]),
    ),
  );
  return linksByDeployment(found.flat());
}

/**
 * The links of an entity's deployments of some versions, by the deployment
 * (as {@link loadLinks}): for a page that knows its versions before it has
 * read their deployments, so both reads can run side by side.
 */
export async function loadVersionLinks(
  db: Knex,
  entityRef: string,
  shas: string[],
): Promise<(deployment: LinkedDeployment) => DeploymentLink[]> {
  return linksByDeployment(
    shas.length === 0
      ? []
      : await linkRowsOf(db, entityRef, [...new Set(shas)]),
  );
}

async function linkRowsOf(
  db: Knex,
  entityRef: string,
  shas: string[],
): Promise<LinkRow[]> {
  const ofShas = oneOf(db, 'sha', shas);
  return rowsOf<LinkRow>(
    await preparedRaw(
      db,
      `SELECT * FROM deployment_links WHERE entity_ref = ? AND ${ofShas.sql}
         ORDER BY provider, provider_deployment_id`,
      [entityRef, ...ofShas.bindings],
    ),
  );
}

function linksByDeployment(
  rows: LinkRow[],
): (deployment: LinkedDeployment) => DeploymentLink[] {
  const rollout = (row: {
    entity_ref: string;
    environment: string;
    sha: string;
  }) => `${row.entity_ref}\u0000${row.environment}\u0000${row.sha}`;
  const byRollout = new Map<string, LinkRow[]>();
  for (const row of rows) {
    const list = byRollout.get(rollout(row)) ?? [];
    list.push(row);
    byRollout.set(rollout(row), list);
  }
  return deployment =>
    (byRollout.get(rollout(deployment)) ?? [])
      .filter(
        link =>
          link.provider !== deployment.provider ||
          link.provider_deployment_id !== deployment.provider_deployment_id,
      )
      .map(link =>
        compact({
          provider: link.provider,
          providerDeploymentId: link.provider_deployment_id,
          url: link.url ?? undefined,
          label: link.label ?? undefined,
        }),
      );
}
