import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import type { SkewFinding } from '@stagecraft/plugin-deployments-common';
import { stringify } from 'csv-stringify/sync';
import type { MinimumSoak, SkewPage } from '../database/skew/KnexSkewAudit';

/** The minimum soak when config names none. */
export const DEFAULT_MINIMUM_SOAK: HumanDuration = { minutes: 30 };

/** The most findings one CSV export holds; a narrower range exports the rest. */
export const MAX_SKEW_EXPORT_ROWS = 10_000;
const EXPORT_PAGE_SIZE = 500;

function soakAt(config: Config, key: string, where: string): number {
  let ms: number;
  try {
    ms = durationToMilliseconds(readDurationFromConfig(config, { key }));
  } catch (error) {
    throw new InputError(
      `${where} must be a duration such as { minutes: 30 } or PT30M (${
        (error as Error).message
      })`,
    );
  }
  if (!Number.isFinite(ms) || ms < 0) {
    throw new InputError(`${where} must be a duration of zero or more`);
  }
  return ms;
}

/**
 * Reads `deployments.skew`: `minimumSoak` (default 30 minutes) for every
 * environment after the first, and `environments.<name>.minimumSoak` for
 * one environment (the time a version must have spent succeeded in the
 * environment before it). A bad value stops the backend, naming the key.
 */
export function readMinimumSoak(config: Config): MinimumSoak {
  const section = config.getOptionalConfig('deployments.skew');
  const fallback = section?.has('minimumSoak')
    ? soakAt(section, 'minimumSoak', 'deployments.skew.minimumSoak')
    : durationToMilliseconds(DEFAULT_MINIMUM_SOAK);
  const byEnvironment = new Map<string, number>();
  const environments = section?.getOptionalConfig('environments');
  for (const name of environments?.keys() ?? []) {
    const environment = environments!.getConfig(name);
    if (environment.has('minimumSoak')) {
      byEnvironment.set(
        name,
        soakAt(
          environment,
          'minimumSoak',
          `deployments.skew.environments.${name}.minimumSoak`,
        ),
      );
    }
  }
  return environment => byEnvironment.get(environment) ?? fallback;
}

const COLUMNS: Array<[string, (finding: SkewFinding) => string | undefined]> = [
  ['started_at', f => f.startedAt],
  ['entity', f => f.entityRef],
  ['environment', f => f.environment],
  ['previous_environment', f => f.previousEnvironment],
  ['kind', f => f.kind],
  ['version_sha', f => f.version.sha],
  ['version_tag', f => f.version.tag],
  ['provider', f => f.provider],
  ['deployment_id', f => f.deploymentId],
  ['state', f => f.state],
  ['previous_succeeded_at', f => f.previousSucceededAt],
  ['soak_seconds', f => f.soakSeconds?.toString()],
  ['minimum_soak_seconds', f => f.minimumSoakSeconds.toString()],
  ['url', f => f.url],
];

/** Spreadsheets run cells that start with = + - @ as formulas: such cells get a quote. */
function inert(value: string | undefined): string {
  if (!value) return '';
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Every finding a paged read returns, as CSV, newest first. */
export async function skewCsv(
  read: (page: SkewPage) => Promise<{
    findings: SkewFinding[];
    nextCursor?: string;
  }>,
  kinds?: SkewPage['kinds'],
): Promise<{ csv: string; truncated: boolean }> {
  const findings: SkewFinding[] = [];
  let cursor: string | undefined;
  do {
    const page = await read({ limit: EXPORT_PAGE_SIZE, cursor, kinds });
    findings.push(...page.findings);
    cursor = page.nextCursor;
  } while (cursor && findings.length < MAX_SKEW_EXPORT_ROWS);
  const rows = findings
    .slice(0, MAX_SKEW_EXPORT_ROWS)
    .map(finding => COLUMNS.map(([, value]) => inert(value(finding))));
  return {
    csv: stringify(rows, {
      header: true,
      columns: COLUMNS.map(([name]) => name),
    }),
    truncated: Boolean(cursor) || findings.length > MAX_SKEW_EXPORT_ROWS,
  };
}
