/**
 * The deployments plugin in a test backend, as the router tests start it: the
 * test provider, a catalog with two entities, a ledger where dev runs v1.2.0,
 * staging v1.1.0 and production v1.0.0, and users alice and bob.
 */
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { type Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { deploymentProvidersExtensionPoint } from '@stagecraft/plugin-deployments-node';
import { type LedgerDeployment } from '../../database/DeploymentStore';
import { KnexDeploymentStore } from '../../database/KnexDeploymentStore';
import { deploymentsPlugin } from '../../plugin';
import {
  TEST_TARGET_ANNOTATION,
  TestDeploymentProvider,
} from '@stagecraft/plugin-deployments-node/testing';

export const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
});

export const ALICE = 'user:default/alice';
export const BOB = 'user:default/bob';
export const ENTITY_REF = 'component:default/payments-api';
export const BASE = '/api/deployments/entities/component/default/payments-api';

export const S1 = '1'.repeat(40);
export const S2 = '2'.repeat(40);
export const S3 = '3'.repeat(40);
export const TAGS: Record<string, string> = {
  [S1]: 'v1.0.0',
  [S2]: 'v1.1.0',
  [S3]: 'v1.2.0',
};

export const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: { [TEST_TARGET_ANNOTATION]: 'acme/payments-api' },
  },
  spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
};

export const docsSite: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'docs-site', namespace: 'default' },
  spec: { type: 'website', owner: 'team-docs', lifecycle: 'production' },
};

export function daysAgo(days: number): string {
  return new Date(Date.now() - days * 24 * 60 * 60 * 1000).toISOString();
}

let nextDeploymentId = 1;
export function deployment(
  environment: string,
  sha: string,
  days: number,
  states: Array<'waiting' | 'in_progress' | 'success' | 'failure'> = [
    'success',
  ],
): LedgerDeployment {
  const createdAt = daysAgo(days);
  return {
    providerDeploymentId: String(nextDeploymentId++),
    environment,
    version: { sha, tag: TAGS[sha] },
    statuses: states.map((state, index) => ({
      state,
      at: new Date(Date.parse(createdAt) + index * 60_000).toISOString(),
    })),
    createdAt,
    updatedAt: createdAt,
    triggeredBy: 'ci-bot',
  };
}

/**
 * dev runs v1.2.0, staging v1.1.0, production v1.0.0; every version
 * succeeded where it is now and on the way there.
 */
export function history(): LedgerDeployment[] {
  return [
    deployment('dev', S1, 10),
    deployment('staging', S1, 9),
    deployment('production', S1, 8),
    deployment('dev', S2, 5),
    deployment('staging', S2, 4),
    deployment('dev', S3, 1),
  ];
}

export function denyOnly(...names: string[]) {
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => ({
      authorize: async (requests: any[]) =>
        requests.map(r => ({
          result: names.includes(r.permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        })),
      authorizeConditional: async (requests: any[]) =>
        requests.map(r => ({
          result: names.includes(r.permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        })),
    }),
  });
}

export async function startDeployments(
  options: {
    databaseId?: TestDatabaseId;
    permissions?: ReturnType<typeof denyOnly>;
    provider?: TestDeploymentProvider;
    config?: object;
    /** Services to replace, e.g. a logger that records what it is told. */
    services?: ServiceFactory[];
  } = {},
) {
  const knex = await databases.init(options.databaseId ?? 'SQLITE_3');
  const provider = options.provider ?? new TestDeploymentProvider();
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
  const { server } = await startTestBackend({
    features: [
      deploymentsPlugin,
      providerModule,
      catalogServiceMock.factory({ entities: [paymentsApi, docsSite] }),
      mockServices.database.factory({ knex }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      mockServices.rootConfig.factory({ data: options.config ?? {} }),
      ...(options.permissions ? [options.permissions] : []),
      ...(options.services ?? []),
    ],
  });
  const store = await KnexDeploymentStore.create({
    database: mockServices.database({ knex }),
  });
  await store.upsertDeployments(ENTITY_REF, provider.id, history());
  return { server, store, provider, knex };
}

export function as(user: string) {
  return { Authorization: mockCredentials.user.header(user) };
}

let keys = 0;
export function idempotencyKey(): string {
  keys += 1;
  return `test-key-${Date.now()}-${keys}`;
}
