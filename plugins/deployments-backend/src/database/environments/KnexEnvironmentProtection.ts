import { InputError } from '@backstage/errors';
import { Knex } from 'knex';
import type { EnvironmentProtection } from '../DeploymentStore';
import { ROW_BATCH_SIZE, chunk, compact } from '../rowValues';

export interface ProtectionRow {
  entity_ref: string;
  provider: string;
  target_key: string;
  environment: string;
  required_reviewers: string;
  wait_timer_minutes: number | null;
  url: string | null;
}

/**
 * Environments' protection as providers configure it (required reviewers,
 * wait timers), stored by sync so that webhooks and the approval policy see
 * it on every replica.
 */
export class KnexEnvironmentProtection {
  constructor(private readonly db: Knex) {}

  /** Makes `environments` the complete protection of one target's environments. */
  async replaceEnvironmentProtection(
    entityRef: string,
    provider: string,
    targetKey: string,
    environments: Omit<EnvironmentProtection, 'provider' | 'targetKey'>[],
  ): Promise<void> {
    if (!targetKey) {
      throw new InputError(
        `Environment protection of ${entityRef} from '${provider}' needs a target key`,
      );
    }
    const rows = new Map<string, ProtectionRow>();
    for (const environment of environments) {
      if (!environment.environment) {
        throw new InputError(
          `Environment protection of ${entityRef} from '${provider}' names no environment`,
        );
      }
      rows.set(environment.environment, {
        entity_ref: entityRef,
        provider,
        target_key: targetKey,
        environment: environment.environment,
        required_reviewers: JSON.stringify(environment.requiredReviewers ?? []),
        wait_timer_minutes: environment.waitTimerMinutes ?? null,
        url: environment.url ?? null,
      });
    }
    const now = new Date();
    await this.db.transaction(async tx => {
      await tx('environment_protection')
        .where({ entity_ref: entityRef, provider, target_key: targetKey })
        .delete();
      for (const batch of chunk([...rows.values()], ROW_BATCH_SIZE)) {
        await tx('environment_protection').insert(
          batch.map(row => ({ ...row, updated_at: now })),
        );
      }
    });
  }

  async listEnvironmentProtection(
    entityRef: string,
  ): Promise<EnvironmentProtection[]> {
    const rows: ProtectionRow[] = await this.db('environment_protection')
      .where({ entity_ref: entityRef })
      .orderBy(['provider', 'target_key', 'environment']);
    return rows.map(toProtection);
  }
}

/** A row of `environment_protection` (as the driver or a JSON aggregate gives it). */
export function toProtection(row: ProtectionRow): EnvironmentProtection {
  return compact({
    provider: row.provider,
    targetKey: row.target_key,
    environment: row.environment,
    requiredReviewers: JSON.parse(row.required_reviewers),
    waitTimerMinutes: row.wait_timer_minutes ?? undefined,
    url: row.url ?? undefined,
  });
}
