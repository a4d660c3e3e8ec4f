import { InputError } from '@backstage/errors';
import { Knex } from 'knex';
import type { ProviderWindow } from '../DeploymentStore';
import { ROW_BATCH_SIZE, chunk, compact } from '../rowValues';

export interface WindowRow {
  entity_ref: string;
  provider: string;
  target_key: string;
  environment: string;
  window_id: string;
  kind: string;
  cron: string;
  time_zone: string;
  label: string;
  defined_at: string | null;
  url: string | null;
}

const MAX_CRON_LENGTH = 255;

/**
 * Deployment windows that providers' own schedules define (a CodePipeline
 * DeploymentWindow entry rule), stored by sync with the environments'
 * protection. Windows of a target that is no longer stored are not listed.
 */
export class KnexProviderWindows {
  constructor(private readonly db: Knex) {}

  /** Makes `windows` the complete deployment windows of one target's environments. */
  async replaceProviderWindows(
    entityRef: string,
    provider: string,
    targetKey: string,
    windows: Omit<ProviderWindow, 'provider' | 'targetKey'>[],
  ): Promise<void> {
    const what = `Deployment windows of ${entityRef} from '${provider}'`;
    if (!targetKey) {
      throw new InputError(`${what} need a target key`);
    }
    const rows = new Map<string, WindowRow>();
    for (const window of windows) {
      if (!window.environment || !window.id) {
        throw new InputError(`${what}: a window names no environment or id`);
      }
      if (window.kind !== 'allow') {
        throw new InputError(
          `${what}: window ${window.id} is of kind '${window.kind}' (expected 'allow')`,
        );
      }
      if (
        !window.cron?.trim() ||
        window.cron.length > MAX_CRON_LENGTH ||
        !window.timeZone?.trim() ||
        !window.label?.trim()
      ) {
        throw new InputError(
          `${what}: window ${window.id} needs a cron (at most ${MAX_CRON_LENGTH} characters), a time zone and a label`,
        );
      }
      rows.set(JSON.stringify([window.environment, window.id]), {
        entity_ref: entityRef,
        provider,
        target_key: targetKey,
        environment: window.environment,
        window_id: window.id,
        kind: window.kind,
        cron: window.cron,
        time_zone: window.timeZone,
        label: window.label,
        defined_at: window.definedAt ?? null,
        url: window.url ?? null,
      });
    }
    const now = new Date();
    await this.db.transaction(async tx => {
      await tx('provider_windows')
        .where({ entity_ref: entityRef, provider, target_key: targetKey })
        .delete();
      for (const batch of chunk([...rows.values()], ROW_BATCH_SIZE)) {
        await tx('provider_windows').insert(
          batch.map(row => ({ ...row, updated_at: now })),
        );
      }
    });
  }

  /** The entity's windows, of the targets stored now. */
  async listProviderWindows(entityRef: string): Promise<ProviderWindow[]> {
    const rows: WindowRow[] = await this.db('provider_windows as w')
      .select('w.*')
      .where('w.entity_ref', entityRef)
      .whereExists(
        this.db('provider_targets as t')
          .select(this.db.raw('1'))
          .whereRaw('t.entity_ref = w.entity_ref')
          .whereRaw('t.provider = w.provider')
          .whereRaw('t.target_key = w.target_key'),
      )
      .orderBy(['w.provider', 'w.target_key', 'w.environment', 'w.window_id']);
    return rows.map(toProviderWindow);
  }
}

/** A row of `provider_windows` (as the driver or a JSON aggregate gives it). */
export function toProviderWindow(row: WindowRow): ProviderWindow {
  return compact({
    provider: row.provider,
    targetKey: row.target_key,
    environment: row.environment,
    id: row.window_id,
    kind: row.kind as ProviderWindow['kind'],
    cron: row.cron,
    timeZone: row.time_zone,
    label: row.label,
    definedAt: row.defined_at ?? undefined,
    url: row.url ?? undefined,
  });
}
