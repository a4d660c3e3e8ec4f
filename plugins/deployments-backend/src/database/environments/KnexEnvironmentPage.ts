import type {
  EnvironmentTraffic,
  PromotionRequest,
  SyncStatus,
  Version,
} from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import type {
  EnvironmentProtection,
  EnvironmentState,
  ProviderWindow,
  StoredGate,
} from '../DeploymentStore';
import { compact } from '../rowValues';
import { toDeployments } from '../deployments/deploymentRows';
import {
  environmentStates,
  laneRows,
  rolledBackBeforeCurrent,
} from '../deployments/KnexDeploymentQueries';
import { preparedRaw, rowsOf } from '../preparedStatements';
import { toVersion } from '../versionColumns';
import { GateRow, toGate } from '../gates/KnexGateStore';
import { RequestRow, toRequest } from '../requests/KnexPromotionRequests';
import { SyncStateRow, toSyncStatus } from '../targets/KnexSyncStateStore';
import { ProtectionRow, toProtection } from './KnexEnvironmentProtection';
import { TrafficRow, trafficOf } from './KnexEnvironmentTraffic';
import { WindowRow, toProviderWindow } from './KnexProviderWindows';

/** Everything the environments page reads of one entity. */
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

/** SQL text with its `?` bindings, in order. */
interface Statement {
  sql: string;
  bindings: Knex.RawBinding[];
}

interface PageRow {
  page_gates: unknown;
  page_requests: unknown;
  page_sync: unknown;
  page_protection: unknown;
  page_traffic: unknown;
  page_traffic_tags: unknown;
  page_windows: unknown;
}

/** The small tables' statement, in the database's own JSON functions. */
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

  /** The aheadBy of a stored diff (a JSON text column), as JSON. */
  aheadBy(column: string): string {
    return this.pg
      ? `CAST(${column} AS json) -> 'aheadBy'`
      : `json_extract(${column}, '$.aheadBy')`;
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
}

/**
 * The environments page of an entity in two round trips, on SQLite and
 * PostgreSQL. First, beside each other: the lanes' rows (current and latest
 * per environment, one statement) and the entity's small tables (open gates,
 * pending requests, sync status, protection, traffic with the tags of its
 * commits, provider windows), each aggregated as a JSON array in one
 * statement. Then, beside each other: the rows' statuses, links and names,
 * the attempts before each current deployment (for one rolled back to the
 * version running now) and the change source's cached diffs between
 * neighbouring lanes (one statement for all).
 *
 * What it returns is what the separate store reads return
 * (`getEnvironmentStates`, `listOpenGates`, … `getCachedDiff`), each mapped
 * by the same functions. Everything in one statement was measured slower:
 * PostgreSQL spends milliseconds planning it (docs/performance.md).
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
    // Two round trips: the lanes' rows beside the small tables; then the
    // rows' statuses, links and names, the attempts before current and
    // the cached diffs, side by side.
    // On PostgreSQL, all of them named prepared statements (parsed once per
    // connection).
    const [lanes, pageResult] = await Promise.all([
      laneRows(this.db, entityRef, environments),
      preparedRaw(this.db, `SELECT ${page.sql}`, page.bindings),
    ]);
    const currents = new Map(
      lanes
        .filter(lane => lane.slot === 'current')
        .map(lane => [lane.environment, toVersion(lane.row)]),
    );
    const [deployments, rolledBack, cachedAheadBy] = await Promise.all([
      toDeployments(
        this.db,
        lanes.map(({ row }) => row),
      ),
      rolledBackBeforeCurrent(this.db, entityRef, lanes),
      this.cachedAheadBy(
        sql,
        entityRef,
        environments,
        currents,
        options.changeSource,
      ),
    ]);
    const pageRows: PageRow[] = rowsOf(pageResult);
    return {
      ...smallTablesOf(pageRows[0]),
      states: environmentStates(environments, lanes, deployments, rolledBack),
      cachedAheadBy,
    };
  }

  /**
   * The change source's cached diffs between neighbouring lanes' current
   * commits, in one statement: only for lanes whose commits differ and are
   * known (the lanes need no diff otherwise).
   */
  private async cachedAheadBy(
    sql: PageSql,
    entityRef: string,
    environments: string[],
    currents: ReadonlyMap<string, Version>,
    changeSource: string | undefined,
  ): Promise<EnvironmentPage['cachedAheadBy']> {
    const pairs = environments.map((environment, index) => {
      const here = currents.get(environment);
      const ahead =
        index > 0 ? currents.get(environments[index - 1]) : undefined;
      return changeSource &&
        here &&
        ahead &&
        here.sha !== ahead.sha &&
        !here.commitUnknown &&
        !ahead.commitUnknown
        ? { from: here.sha.toLowerCase(), to: ahead.sha.toLowerCase() }
        : undefined;
    });
    const asked = pairs.filter(
      (pair): pair is { from: string; to: string } => pair !== undefined,
    );
    if (asked.length === 0) return pairs.map(() => undefined);
    const rows = rowsOf<{
      from_sha: string;
      to_sha: string;
      ahead_by: unknown;
    }>(
      await preparedRaw(
        this.db,
        `SELECT from_sha, to_sha, ${sql.aheadBy('diff')} AS ahead_by
           FROM diff_cache WHERE entity_ref = ? AND provider = ? AND (${asked
             .map(() => '(from_sha = ? AND to_sha = ?)')
             .join(' OR ')})`,
        [
          entityRef,
          changeSource!,
          ...asked.flatMap(pair => [pair.from, pair.to]),
        ],
      ),
    );
    const found = new Map(
      rows.map(row => [`${row.from_sha}\u0000${row.to_sha}`, row.ahead_by]),
    );
    return pairs.map(pair => {
      const key = pair && `${pair.from}\u0000${pair.to}`;
      return key && found.has(key) ? aheadByOf(found.get(key)) : undefined;
    });
  }
}

/** The small tables of the page, from their JSON arrays. */
function smallTablesOf(
  row: PageRow | undefined,
): Omit<EnvironmentPage, 'states' | 'cachedAheadBy'> {
  const tags = new Map(
    (
      json<Array<{ sha: string; tag: string }>>(row?.page_traffic_tags) ?? []
    ).map(({ sha, tag }) => [sha, tag] as const),
  );
  return {
    openGates: jsonRows<GateRow>(row?.page_gates).map(toGate),
    pendingRequests: jsonRows<RequestRow>(row?.page_requests).map(toRequest),
    sync: jsonRows<SyncStateRow>(row?.page_sync).map(toSyncStatus),
    protection: jsonRows<ProtectionRow>(row?.page_protection).map(toProtection),
    traffic: trafficOf(jsonRows<TrafficRow>(row?.page_traffic), tags),
    providerWindows: jsonRows<WindowRow>(row?.page_windows).map(
      toProviderWindow,
    ),
  };
}

/** A cached diff's aheadBy as a statement gives it (JSON: a number, or its text on SQLite). */
function aheadByOf(value: unknown): { aheadBy?: number } {
  const parsed = typeof value === 'string' ? JSON.parse(value) : value;
  return compact({
    aheadBy:
      parsed === null || parsed === undefined ? undefined : Number(parsed),
  });
}

/** PostgreSQL's driver parses json columns; SQLite returns their text. */
function json<T>(value: unknown): T | undefined {
  if (value === null || value === undefined) return undefined;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function jsonRows<T>(value: unknown): T[] {
  return json<T[]>(value) ?? [];
}
