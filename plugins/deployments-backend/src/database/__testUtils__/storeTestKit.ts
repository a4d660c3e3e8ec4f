import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import type { DeploymentStatusEntry } from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import type { LedgerDeployment, LedgerGate } from '../DeploymentStore';
import { KnexDeploymentStore } from '../KnexDeploymentStore';

/** Fixtures shared by the store's tests: the real store on SQLite and PostgreSQL. */

export const ENTITY = 'component:default/payments-api';
export const OTHER = 'component:default/ledger-worker';
export const PATH = ['dev', 'staging', 'production'];

export const sha = (n: number) => n.toString(16).padStart(40, '0');
export const at = (minute: number) =>
  new Date(Date.UTC(2026, 10, 1, 12, minute)).toISOString();

export function status(
  state: DeploymentStatusEntry['state'],
  minute: number,
): DeploymentStatusEntry {
  return { state, at: at(minute) };
}

export function report(
  id: string,
  overrides: Partial<LedgerDeployment> = {},
): LedgerDeployment {
  return {
    providerDeploymentId: id,
    environment: 'dev',
    version: { sha: sha(1), tag: 'v1.0.0', message: 'First release' },
    statuses: [
      status('queued', 0),
      status('in_progress', 1),
      status('success', 2),
    ],
    createdAt: at(0),
    updatedAt: at(2),
    triggeredBy: 'alice',
    url: `https://example.com/runs/${id}`,
    ...overrides,
  };
}

export function gate(
  id: string,
  overrides: Partial<LedgerGate> = {},
): LedgerGate {
  return {
    providerGateId: id,
    environment: 'production',
    version: { sha: sha(1), tag: 'v1.0.0' },
    reviewers: [{ type: 'team', name: 'team-payments' }],
    since: at(5),
    details: { runId: '812' },
    ...overrides,
  };
}

/** The databases every store test runs on. Call at the top of a test file. */
export function storeTestDatabases(): TestDatabases {
  return TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
}

/** A fresh, migrated database and store before each test of the enclosing block. */
export function useStore(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
): { readonly knex: Knex; readonly store: KnexDeploymentStore } {
  const current = {} as { knex: Knex; store: KnexDeploymentStore };
  beforeEach(async () => {
    current.knex = await databases.init(databaseId);
    current.store = await KnexDeploymentStore.create({
      database: { getClient: async () => current.knex },
    });
  });
  return current;
}
