import { screen } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  catalogApiRef,
  entityPresentationApiRef,
  EntityProvider,
  starredEntitiesApiRef,
  MockStarredEntitiesApi,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import type { Entity } from '@backstage/catalog-model';
import { configApiRef } from '@backstage/core-plugin-api';
import {
  ScmIntegrationsApi,
  scmIntegrationsApiRef,
} from '@backstage/integration-react';
import { deploymentsApiRef } from '@stagecraft/plugin-deployments';
import {
  catalogPlugin,
  DefaultEntityPresentationApi,
} from '@backstage/plugin-catalog';
import { entityPage } from './EntityPage';

const component = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default', annotations },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
});

const config = mockApis.config({
  data: {
    app: { baseUrl: 'http://localhost:3000' },
    backend: { baseUrl: 'http://localhost:7007' },
  },
});

function renderEntityPage(entity: Entity) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [configApiRef, config],
        [scmIntegrationsApiRef, ScmIntegrationsApi.fromConfig(config)],
        [catalogApiRef, catalogApiMock({ entities: [entity] })],
        [
          entityPresentationApiRef,
          DefaultEntityPresentationApi.create({
            catalogApi: catalogApiMock({ entities: [entity] }),
          }),
        ],
        [starredEntitiesApiRef, new MockStarredEntitiesApi()],
        [permissionApiRef, mockApis.permission()],
        [
          deploymentsApiRef,
          {
            getEnvironments: async () => ({
              entityRef: 'component:default/payments-api',
              environments: [],
              sync: [],
            }),
          },
        ],
      ]}
    >
      <EntityProvider entity={entity}>{entityPage}</EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog': catalogPlugin.routes.catalogIndex } },
  );
}

describe('the entity page', () => {
  it('has a Deployments tab for services with a GitHub repository', async () => {
    await renderEntityPage(
      component({ 'github.com/project-slug': 'acme/payments-api' }),
    );
    expect(
      await screen.findByRole('tab', { name: 'Deployments' }),
    ).toBeInTheDocument();
  });

  it('has no Deployments tab for entities no provider handles', async () => {
    await renderEntityPage(component({}));
    expect(
      await screen.findByRole('tab', { name: 'Overview' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('tab', { name: 'Deployments' }),
    ).not.toBeInTheDocument();
  });
});
