/**
 * The deployments plugin in a test backend with push sources configured:
 * `jenkins` (token subject `jenkins-ci`, its `prod` is `production`) and
 * `gitlab` (subject `gitlab-ci`); a catalog where `nightly-reports` takes
 * GitLab events for dev and Jenkins events for staging and production,
 * `batch-jobs` takes both without saying who owns what, `payments-api` takes
 * Jenkins events beside the test provider that owns dev and staging, and
 * `docs-site` takes none.
 */
import fs from 'fs';
import path from 'path';
import {
  createBackendModule,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { deploymentProvidersExtensionPoint } from '@stagecraft/plugin-deployments-node';
import {
  TEST_TARGET_ANNOTATION,
  TestDeploymentProvider,
} from '@stagecraft/plugin-deployments-node/testing';
import type { Knex } from 'knex';
import { deploymentsPlugin } from '../../plugin';

export const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
});

export const EVENTS = '/api/deployments/events';
export const NIGHTLY = 'component:default/nightly-reports';
export const NIGHTLY_BASE =
  '/api/deployments/entities/component/default/nightly-reports';
export const PAYMENTS = 'component:default/payments-api';
export const PAYMENTS_BASE =
  '/api/deployments/entities/component/default/payments-api';

export const SHA_A = 'a'.repeat(40);
export const SHA_B = 'b'.repeat(40);

function component(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
  };
}

export const entities: Entity[] = [
  component('nightly-reports', {
    'stagecraft.io/push-source': 'jenkins, gitlab',
    'stagecraft.io/environments':
      'dev=gitlab,staging=jenkins,production=jenkins',
  }),
  component('batch-jobs', { 'stagecraft.io/push-source': 'jenkins,gitlab' }),
  component('payments-api', {
    [TEST_TARGET_ANNOTATION]: 'acme/payments-api',
    'stagecraft.io/push-source': 'jenkins',
    'stagecraft.io/environments': 'dev=test,staging=test,production=jenkins',
  }),
  component('docs-site', {}),
];

export const pushConfig = {
  deployments: {
    push: {
      sources: [
        {
          id: 'jenkins',
          subject: 'jenkins-ci',
          environmentNames: { prod: 'production' },
        },
        { id: 'gitlab', subject: 'gitlab-ci' },
      ],
    },
  },
};

/** A complete event for nightly-reports in staging, with `overrides` applied. */
export function event(overrides: Record<string, unknown> = {}) {
  return {
    eventId: 'build-812-staging-success',
    entity: NIGHTLY,
    deploymentId: 'nightly-reports-812-staging',
    environment: 'staging',
    version: { sha: SHA_A, tag: 'v1.42.0' },
    state: 'success',
    at: '2025-01-31T14:02:00Z',
    startedAt: '2025-01-31T13:58:10Z',
    url: 'https://jenkins.example.com/job/nightly-reports/812/',
    urlLabel: 'build #812',
    ...overrides,
  };
}

export async function startPushBackend(
  options: {
    databaseId?: TestDatabaseId;
    config?: object;
    /** Replaces the default services, e.g. the real auth services. */
    services?: ServiceFactory[];
    /** Replaces the catalog of {@link entities}. */
    catalog?: ServiceFactory;
  } = {},
) {
  const knex = await databases.init(options.databaseId ?? 'SQLITE_3');
  const provider = new TestDeploymentProvider();
  const providerModule = createBackendModule({
    pluginId: 'deployments',
    moduleId: 'test-provider',
    register(reg) {
      reg.registerInit({
        deps: { providers: deploymentProvidersExtensionPoint },
        async init({ providers }) {
          providers.addProvider(provider);
        },
      });
    },
  });
  const backend = await startTestBackend({
    features: [
      deploymentsPlugin,
      providerModule,
      options.catalog ?? catalogServiceMock.factory({ entities }),
      mockServices.database.factory({ knex }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      mockServices.rootConfig.factory({ data: options.config ?? pushConfig }),
      mockServices.rootSystemMetadata.factory(),
      ...(options.services ?? []),
    ],
  });
  return { server: backend.server, backend, knex, provider };
}

/** Rows the ledger holds for a provider: deployments, their statuses and recorded deliveries. */
export async function ledgerRows(knex: Knex, provider: string) {
  const deployments = await knex('deployments')
    .where({ provider })
    .select(
      'id',
      'entity_ref',
      'provider_deployment_id',
      'environment',
      'state',
    );
  const statuses = await knex('deployment_statuses')
    .whereIn(
      'deployment_id',
      deployments.map(d => d.id),
    )
    .select('state');
  const deliveries = await knex('webhook_deliveries').where({ provider });
  return {
    deployments: deployments.length,
    statuses: statuses.length,
    deliveries: deliveries.length,
  };
}

/** The text of docs/providers/push.md. */
export function pushDoc(): string {
  return fs.readFileSync(
    path.resolve(__dirname, '../../../../../docs/providers/push.md'),
    'utf8',
  );
}
