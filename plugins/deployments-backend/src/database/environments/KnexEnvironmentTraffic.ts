import { InputError } from '@backstage/errors';
import type {
  EnvironmentTraffic,
  TrafficShare,
} from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import { DbTime, parseTime, toIso } from '../dbTime';
import { ROW_BATCH_SIZE, chunk } from '../rowValues';
import { normaliseSha, validateVersion } from '../deployments/versionRules';

export interface TrafficRow {
  entity_ref: string;
  environment: string;
  provider: string;
  shares: string;
  at: DbTime;
}

/** Which versions serve each environment of an entity, with their shares, as its provider last reported. */
export class KnexEnvironmentTraffic {
  constructor(private readonly db: Knex) {}

  /**
   * Stores the traffic of the environments listed; others keep theirs. A
   * report older than the stored one changes nothing (a late webhook cannot
   * put a canary back), and neither does a replay.
   */
  async putTraffic(
    entityRef: string,
    traffic: Array<EnvironmentTraffic & { environment: string }>,
  ): Promise<void> {
    const rows = new Map<string, TrafficRow>();
    for (const report of traffic) {
      const what = `traffic of '${report.environment}' of ${entityRef}`;
      if (!report.environment || !report.provider) {
        throw new InputError(`The ${what} names no environment or provider`);
      }
      const shares = report.shares.map(share => {
        if (
          typeof share.percent !== 'number' ||
          share.percent < 0 ||
          share.percent > 100
        ) {
          throw new InputError(
            `Invalid share '${share.percent}' in the ${what}: expected 0 to 100`,
          );
        }
        validateVersion(share.version, `the ${what}`);
        return {
          ...share,
          version: { ...share.version, sha: normaliseSha(share.version.sha) },
        };
      });
      rows.set(report.environment, {
        entity_ref: entityRef,
        environment: report.environment,
        provider: report.provider,
        shares: JSON.stringify(shares),
        at: parseTime(report.at, `the ${what}`),
      });
    }
    for (const batch of chunk([...rows.values()], ROW_BATCH_SIZE)) {
      await this.db('environment_traffic')
        .insert(batch)
        .onConflict(['entity_ref', 'environment'])
        .merge(['provider', 'shares', 'at'])
        .where('environment_traffic.at', '<=', this.db.raw('excluded.at'));
    }
  }

  /** Traffic by environment name. */
  async getTraffic(
    entityRef: string,
  ): Promise<Record<string, EnvironmentTraffic>> {
    const rows: TrafficRow[] = await this.db('environment_traffic').where({
      entity_ref: entityRef,
    });
    const untagged = untaggedShas(rows);
    const tags = new Map<string, string>();
    if (untagged.length > 0) {
      const found: Array<{ sha: string; tag: string }> = await this.db(
        'versions',
      )
        .where('entity_ref', entityRef)
        .whereIn('sha', untagged)
        .whereNotNull('tag')
        .select('sha', 'tag');
      for (const { sha, tag } of found) tags.set(sha, tag);
    }
    return trafficOf(rows, tags);
  }
}

/** The commits of shares that name no tag. */
export function untaggedShas(rows: Pick<TrafficRow, 'shares'>[]): string[] {
  return [
    ...new Set(
      rows.flatMap(row =>
        (JSON.parse(row.shares) as TrafficShare[])
          .filter(s => !s.version.tag)
          .map(s => s.version.sha),
      ),
    ),
  ];
}

/**
 * Rows of `environment_traffic` (as the driver or a JSON aggregate gives
 * them) by environment name. A share names its version as the provider saw
 * it (a Lambda version knows its commit, not its tag): the ledger's tag of
 * the commit (`tags`, by sha) names it as the lanes and the timeline do.
 */
export function trafficOf(
  rows: TrafficRow[],
  tags: ReadonlyMap<string, string>,
): Record<string, EnvironmentTraffic> {
  return Object.fromEntries(
    rows.map(row => [
      row.environment,
      {
        provider: row.provider,
        shares: (JSON.parse(row.shares) as TrafficShare[]).map(share =>
          !share.version.tag && tags.has(share.version.sha)
            ? {
                ...share,
                version: { ...share.version, tag: tags.get(share.version.sha) },
              }
            : share,
        ),
        at: toIso(row.at),
      },
    ]),
  );
}
