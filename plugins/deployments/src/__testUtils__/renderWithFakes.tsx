import { ReactElement } from 'react';
import { SWRConfig } from 'swr';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { AppComponents, identityApiRef } from '@backstage/core-plugin-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import type { Entity } from '@backstage/catalog-model';
import type { DeploymentsApi } from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../api';

export const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: { 'github.com/project-slug': 'acme/payments-api' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};

type Verdict = AuthorizeResult.ALLOW | AuthorizeResult.DENY;

export interface FakeOptions {
  /**
   * Whether the permission backend allows the deployments actions: one answer
   * for all, or one per permission asked about.
   */
  authorize?: Verdict | ((request: EvaluatePermissionRequest) => Verdict);
  /** The signed-in user. */
  userEntityRef?: string;
  /** Components of the test app (its `Progress`, say), as `createApp` takes them. */
  appComponents?: Partial<AppComponents>;
  /** The address the test app opens at. */
  path?: string;
}

/** Renders inside a test app, with the entity in context and fake APIs. */
export function renderWithFakes(
  element: ReactElement,
  api: DeploymentsApi,
  options: FakeOptions = {},
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [deploymentsApiRef, api],
        [
          permissionApiRef,
          mockApis.permission({
            authorize: options.authorize ?? AuthorizeResult.ALLOW,
          }),
        ],
        [
          identityApiRef,
          mockApis.identity({
            userEntityRef: options.userEntityRef ?? 'user:default/guest',
          }),
        ],
      ]}
    >
      {/* usePermission caches answers in SWR; each test gets its own cache. */}
      <SWRConfig value={{ provider: () => new Map() }}>
        <EntityProvider entity={paymentsApi}>{element}</EntityProvider>
      </SWRConfig>
    </TestApiProvider>,
    {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      components: options.appComponents,
      ...(options.path ? { routeEntries: [options.path] } : {}),
    },
  );
}
