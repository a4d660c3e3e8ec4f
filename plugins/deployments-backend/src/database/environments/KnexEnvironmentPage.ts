import type {
  DeploymentLink,
  DeploymentStatusEntry,
  DeploymentState,
  EnvironmentTraffic,
  PromotionRequest,
  SyncStatus,
} from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import type {
  EnvironmentProtection,
  EnvironmentState,
  ProviderWindow,
  StoredGate,
} from '../DeploymentStore';
import { DbTime, toIso } from '../dbTime';
import { compact } from '../rowValues';
import {
  compareNewestFirst,
  newestDeploymentFirst,
} from '../deployments/deploymentOrder';
import {
  DeploymentRow,
  KnownVersion,
  toDeployment,
  withKnownVersion,
} from '../deployments/deploymentRows';
import { compareStatuses } from '../deployments/statusMerge';
import { GateRow, toGate } from '../gates/KnexGateStore';
import { RequestRow, toRequest } from '../requests/KnexPromotionRequests';
import { SyncStateRow, toSyncStatus } from '../targets/KnexSyncStateStore';
import { ProtectionRow, toProtection } from './KnexEnvironmentProtection';
import { TrafficRow, trafficOf } from './KnexEnvironmentTraffic';
import { WindowRow, toProviderWindow } from './KnexProviderWindows';

/** Everything the environments page reads of one entity, from one statement. */
export interface EnvironmentPage {
  /** By environment: current, latest and the rolled-back attempt before current. */
  states: Record<string, EnvironmentState>;
  /**
   * By environment, in the order asked, for each lane after the first: the
   * change source's cached diff from this lane's current commit to the
   * previous lane's, when one is cached (only how far ahead that is).
   */
  cachedAheadBy: Array<{ aheadBy?: number } | undefined>;
  openGates: StoredGate[];
  pendingRequests: PromotionRequest[];
  sync: SyncStatus[];
  protection: EnvironmentProtection[];
  traffic: Record<string, EnvironmentTraffic>;
  providerWindows: ProviderWindow[];
}

type Slot = 'current' | 'latest' | 'before';

/** SQL text with its `?` bindings, in order. */
interface Statement {
  sql: string;
  bindings: Knex.RawBinding[];
}

/** A lane row: a deployment row, which look-up found it, and what belongs to it. */
type LaneRow = DeploymentRow & {
  lane_env: number | string;
  lane_slot: Slot;
  lane_statuses: unknown;
  lane_links: unknown;
  lane_known: unknown;
  lane_diff: unknown;
};

interface PageRow {
  page_gates: unknown;
  page_requests: unknown;
  page_sync: unknown;
  page_protection: unknown;
  page_traffic: unknown;
  page_traffic_tags: unknown;
  page_windows: unknown;
}

type LinkJson = {
  provider: string;
  provider_deployment_id: string;
  url: string | null;
  label: string | null;
};
type StatusJson = {
  state: string;
  at: DbTime;
  description: string | null;
  log_url: string | null;
};

/** The statement's parts, in the database's own JSON functions. */
class PageSql {
  private readonly pg: boolean;

  constructor(db: Knex) {
    this.pg = db.client.config.client === 'pg';
  }

  /** A JSON object of columns of `alias` (named as the table names them). */
  private object(alias: string, columns: string[]): string {
    const pairs = columns
      .map(column => `'${column}', ${alias}.${column}`)
      .join(', ');
    return this.pg ? `json_build_object(${pairs})` : `json_object(${pairs})`;
  }

  /**
   * A JSON array of one object per row of `from` (with `where`), in `order`;
   * NULL or `[]` when there are none.
   */
  private array(
    from: string,
    alias: string,
    columns: string[],
    where: string,
    order?: string,
  ): string {
    const object = this.object(alias, columns);
    if (this.pg) {
      return `(SELECT json_agg(${object}${
        order ? ` ORDER BY ${order}` : ''
      }) FROM ${from} WHERE ${where})`;
    }
    // SQLite aggregates in the order of an ordered subquery.
    return `(SELECT json_group_array(json(o)) FROM (SELECT ${object} AS o FROM ${from} WHERE ${where}${
      order ? ` ORDER BY ${order}` : ''
    }))`;
  }

  private nullJson(): string {
    return this.pg ? 'CAST(NULL AS json)' : 'NULL';
  }

  /** The entity's small tables, one JSON array each. */
  pageColumns(entityRef: string): Statement {
    const version = [
      'sha',
      'tag',
      'message',
      'version_url',
      'artifact',
      'commit_unknown',
    ];
    const parts: Array<[string, string, number]> = [
      [
        'page_gates',
        this.array(
          'provider_gates g',
          'g',
          [
            'entity_ref',
            'provider',
            'provider_gate_id',
            'target_key',
            'environment',
            ...version,
            'reviewers',
            'since',
            'gate_type',
            'expires_at',
            'wait_timer_minutes',
            'requested_by',
            'url',
            'details',
            'summary',
          ],
          'g.entity_ref = ?',
          'g.since, g.entity_ref, g.provider, g.provider_gate_id',
        ),
        1,
      ],
      [
        'page_requests',
        this.array(
          'promotion_requests r',
          'r',
          [
            'id',
            'entity_ref',
            'action',
            'environment',
            ...version,
            'state',
            'requested_by',
            'requested_at',
            'comment',
            'decided_by',
            'decided_at',
            'decision_comment',
            'provider_reference',
            'error',
          ],
          "r.entity_ref = ? AND r.state = 'pending'",
          'r.requested_at, r.id',
        ),
        1,
      ],
      [
        'page_sync',
        this.array(
          'sync_state s',
          's',
          [
            'provider',
            'target_key',
            'last_success_at',
            'last_attempt_at',
            'last_error',
            'last_error_at',
          ],
          's.entity_ref = ?',
          's.provider, s.target_key',
        ),
        1,
      ],
      [
        'page_protection',
        this.array(
          'environment_protection p',
          'p',
          [
            'provider',
            'target_key',
            'environment',
            'required_reviewers',
            'wait_timer_minutes',
            'url',
          ],
          'p.entity_ref = ?',
          'p.provider, p.target_key, p.environment',
        ),
        1,
      ],
      [
        'page_traffic',
        this.array(
          'environment_traffic t',
          't',
          ['environment', 'provider', 'shares', 'at'],
          't.entity_ref = ?',
        ),
        1,
      ],
      // The tags the versions table knows of the commits traffic names.
      [
        'page_traffic_tags',
        this.array(
          'versions v',
          'v',
          ['sha', 'tag'],
          `v.entity_ref = ? AND v.tag IS NOT NULL AND v.sha IN (${this.trafficShas()})`,
        ),
        2,
      ],
      [
        'page_windows',
        this.array(
          'provider_windows w',
          'w',
          [
            'provider',
            'target_key',
            'environment',
            'window_id',
            'kind',
            'cron',
            'time_zone',
            'label',
            'defined_at',
            'url',
          ],
          `w.entity_ref = ? AND EXISTS (SELECT 1 FROM provider_targets pt
            WHERE pt.entity_ref = w.entity_ref AND pt.provider = w.provider
              AND pt.target_key = w.target_key)`,
          'w.provider, w.target_key, w.environment, w.window_id',
        ),
        1,
      ],
    ];
    return {
      sql: parts.map(([name, sql]) => `${sql} AS ${name}`).join(', '),
      bindings: parts.flatMap(([, , count]) =>
        Array.from({ length: count }, () => entityRef),
      ),
    };
  }

  /** The commits of the entity's traffic shares (bound: the entity, once). */
  private trafficShas(): string {
    return this.pg
      ? `SELECT share -> 'version' ->> 'sha' FROM environment_traffic tt,
           json_array_elements(CAST(tt.shares AS json)) share WHERE tt.entity_ref = ?`
      : `SELECT json_extract(share.value, '$.version.sha') FROM environment_traffic tt,
           json_each(tt.shares) share WHERE tt.entity_ref = ?`;
  }

  /** The newest success's column of an environment (bound: entity, environment). */
  private currentOf(column: string): string {
    return `(SELECT c.${column} FROM deployments c WHERE c.entity_ref = ? AND c.environment = ?
      AND c.state = 'success' ORDER BY ${newestDeploymentFirst('c')} LIMIT 1)`;
  }

  /**
   * One look-up of a lane (`current`: the newest success, `latest`: the
   * newest attempt, `before`: the three newest attempts at or before
   * current), with the found rows' statuses, links and known version; the
   * current row also carries the cached diff to the previous lane's current.
   */
  lane(
    entityRef: string,
    environment: string,
    index: number,
    slot: Slot,
    options: { previous?: string; changeSource?: string } = {},
  ): Statement {
    const bindings: Knex.RawBinding[] = [];
    const versionObject = this.object('v', ['tag', 'message', 'version_url']);
    const statuses = this.array(
      'deployment_statuses s',
      's',
      ['state', 'at', 'description', 'log_url'],
      's.deployment_id = lane_row.id',
    );
    const links = this.array(
      'deployment_links l',
      'l',
      ['provider', 'provider_deployment_id', 'url', 'label'],
      'l.entity_ref = lane_row.entity_ref AND l.sha = lane_row.sha AND l.environment = lane_row.environment',
      'l.provider, l.provider_deployment_id',
    );
    const known = `(SELECT ${versionObject} FROM versions v
      WHERE v.entity_ref = lane_row.entity_ref AND v.sha = lane_row.sha AND v.tag IS NOT NULL)`;
    let diff = this.nullJson();
    const diffBindings: Knex.RawBinding[] = [];
    if (slot === 'current' && options.previous && options.changeSource) {
      const aheadBy = this.pg
        ? "json_build_object('aheadBy', CAST(x.diff AS json) -> 'aheadBy')"
        : "json_object('aheadBy', json_extract(x.diff, '$.aheadBy'))";
      diff = `(SELECT ${aheadBy} FROM diff_cache x WHERE x.entity_ref = lane_row.entity_ref
        AND x.provider = ? AND x.from_sha = lower(lane_row.sha) AND x.to_sha = lower(${this.currentOf(
          'sha',
        )}))`;
      diffBindings.push(options.changeSource, entityRef, options.previous);
    }
    let found = `SELECT f.* FROM deployments f WHERE f.entity_ref = ? AND f.environment = ?`;
    bindings.push(entityRef, environment);
    if (slot === 'current') found += ` AND f.state = 'success'`;
    if (slot === 'before') {
      found += ` AND f.created_at <= ${this.currentOf('created_at')}`;
      bindings.push(entityRef, environment);
    }
    found += ` ORDER BY ${newestDeploymentFirst('f')} LIMIT ${
      slot === 'before' ? 3 : 1
    }`;
    return {
      sql: `SELECT * FROM (SELECT lane_row.*, ${index} AS lane_env, '${slot}' AS lane_slot,
        ${statuses} AS lane_statuses, ${links} AS lane_links,
        ${known} AS lane_known, ${diff} AS lane_diff
        FROM (${found}) lane_row) lane_${index}_${slot}`,
      // In the order of the text: the diff's look-up comes first.
      bindings: [...diffBindings, ...bindings],
    };
  }
}

/**
 * The environments page of an entity in one statement, on SQLite and
 * PostgreSQL: per environment the current deployment (newest success), the
 * latest attempt and the up to three attempts at or before current (to find
 * one rolled back to the version running now), each with its statuses,
 * links and the versions table's names of its commit aggregated as JSON;
 * the cached diff between neighbouring lanes' current commits; and the
 * entity's small tables (open gates, pending requests, sync status,
 * protection, traffic with the tags of its commits, provider windows), each
 * aggregated as one JSON array. Every part is an index look-up.
 *
 * What it returns is what the separate store reads return
 * (`getEnvironmentStates`, `listOpenGates`, … `getCachedDiff`), each mapped
 * by the same functions.
 */
export class KnexEnvironmentPage {
  constructor(private readonly db: Knex) {}

  async getEnvironmentPage(
    entityRef: string,
    environments: string[],
    options: { changeSource?: string } = {},
  ): Promise<EnvironmentPage> {
    const sql = new PageSql(this.db);
    const page = sql.pageColumns(entityRef);
    const lanes = environments.flatMap((environment, index) => {
      const members: Statement[] = [
        sql.lane(entityRef, environment, index, 'current', {
          previous: index > 0 ? environments[index - 1] : undefined,
          changeSource: options.changeSource,
        }),
        sql.lane(entityRef, environment, index, 'latest'),
        sql.lane(entityRef, environment, index, 'before'),
      ];
      return members;
    });
    const statement =
      lanes.length === 0
        ? this.db.raw(`SELECT ${page.sql}`, page.bindings)
        : this.db.raw(
            `SELECT page.*, lanes.* FROM (SELECT ${
              page.sql
            }) page LEFT JOIN (${lanes
              .map(lane => lane.sql)
              .join(' UNION ALL ')}) lanes ON 1 = 1`,
            [...page.bindings, ...lanes.flatMap(lane => lane.bindings)],
          );
    const result = await statement;
    const rows: Array<PageRow & Partial<LaneRow>> = Array.isArray(result)
      ? result
      : result.rows;
    return this.pageOf(environments, rows);
  }

  private pageOf(
    environments: string[],
    rows: Array<PageRow & Partial<LaneRow>>,
  ): EnvironmentPage {
    const [first] = rows;
    const states: Record<string, EnvironmentState> = Object.fromEntries(
      environments.map(environment => [environment, {}]),
    );
    const cachedAheadBy: EnvironmentPage['cachedAheadBy'] = environments.map(
      () => undefined,
    );
    const before = new Map<number, LaneRow[]>();
    for (const row of rows) {
      if (row.lane_slot === undefined || row.lane_slot === null) continue;
      const lane = row as LaneRow;
      const index = Number(lane.lane_env);
      const environment = environments[index];
      if (lane.lane_slot === 'before') {
        before.set(index, [...(before.get(index) ?? []), lane]);
        continue;
      }
      states[environment][lane.lane_slot] = deploymentOf(lane);
      if (lane.lane_slot === 'current') {
        const diff = json<{ aheadBy: number | string | null }>(lane.lane_diff);
        if (diff) {
          cachedAheadBy[index] = compact({
            aheadBy:
              diff.aheadBy === null || diff.aheadBy === undefined
                ? undefined
                : Number(diff.aheadBy),
          });
        }
      }
    }
    // The newest attempt before current (in the ledger's one order) counts
    // when it was rolled back to the version running now.
    for (const [index, candidates] of before) {
      const state = states[environments[index]];
      const current = state.current;
      if (!current) continue;
      const previous = candidates.sort(compareNewestFirst).find(
        row =>
          compareNewestFirst(row, {
            created_at: Date.parse(current.createdAt),
            provider: current.provider,
            provider_deployment_id: current.providerDeploymentId,
          }) > 0,
      );
      if (!previous?.rollback_info) continue;
      const candidate = deploymentOf(previous);
      if (candidate.rollback?.restoredVersion?.sha === current.version.sha) {
        state.rolledBackBeforeCurrent = candidate;
      }
    }
    const tags = new Map(
      (
        json<Array<{ sha: string; tag: string }>>(first?.page_traffic_tags) ??
        []
      ).map(({ sha, tag }) => [sha, tag] as const),
    );
    return {
      states,
      cachedAheadBy,
      openGates: jsonRows<GateRow>(first?.page_gates).map(toGate),
      pendingRequests: jsonRows<RequestRow>(first?.page_requests).map(
        toRequest,
      ),
      sync: jsonRows<SyncStateRow>(first?.page_sync).map(toSyncStatus),
      protection: jsonRows<ProtectionRow>(first?.page_protection).map(
        toProtection,
      ),
      traffic: trafficOf(jsonRows<TrafficRow>(first?.page_traffic), tags),
      providerWindows: jsonRows<WindowRow>(first?.page_windows).map(
        toProviderWindow,
      ),
    };
  }
}

/** A lane row as the deployment the separate reads give. */
function deploymentOf(row: LaneRow) {
  const statuses = new Map<number, DeploymentStatusEntry[]>([
    [
      row.id,
      jsonRows<StatusJson>(row.lane_statuses)
        .map(status =>
          compact({
            state: status.state as DeploymentState,
            at: toIso(status.at),
            description: status.description ?? undefined,
            logUrl: status.log_url ?? undefined,
          }),
        )
        .sort(compareStatuses),
    ],
  ]);
  const links: DeploymentLink[] = jsonRows<LinkJson>(row.lane_links)
    .filter(
      link =>
        link.provider !== row.provider ||
        link.provider_deployment_id !== row.provider_deployment_id,
    )
    .map(link =>
      compact({
        provider: link.provider,
        providerDeploymentId: link.provider_deployment_id,
        url: link.url ?? undefined,
        label: link.label ?? undefined,
      }),
    );
  const known = row.tag ? undefined : json<KnownVersion>(row.lane_known);
  return withKnownVersion(toDeployment(row, statuses, links), known);
}

/** PostgreSQL's driver parses json columns; SQLite returns their text. */
function json<T>(value: unknown): T | undefined {
  if (value === null || value === undefined) return undefined;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function jsonRows<T>(value: unknown): T[] {
  return json<T[]>(value) ?? [];
}
