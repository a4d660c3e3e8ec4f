import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import type { EnvironmentsResponse } from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef, DeploymentsApi } from '../../api';
import { EntityDeploymentsContent } from './EntityDeploymentsContent';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    annotations: { 'github.com/project-slug': 'acme/payments-api' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};

function renderWith(getEnvironments: DeploymentsApi['getEnvironments']) {
  const api = { getEnvironments } as Partial<DeploymentsApi> as DeploymentsApi;
  return renderInTestApp(
    <TestApiProvider apis={[[deploymentsApiRef, api]]}>
      <EntityProvider entity={entity}>
        <EntityDeploymentsContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityDeploymentsContent', () => {
  it('shows one lane per environment with the version that runs there', async () => {
    const response: EnvironmentsResponse = {
      entityRef: 'component:default/payments-api',
      sync: [],
      environments: [
        {
          name: 'dev',
          position: 0,
          pendingGates: [],
          requiresApproval: false,
          current: {
            id: 'github:1',
            provider: 'github',
            providerDeploymentId: '1',
            entityRef: 'component:default/payments-api',
            environment: 'dev',
            version: {
              sha: '9f3c2ab0000000000000000000000000000000000',
              tag: 'v1.42.0',
            },
            state: 'success',
            statuses: [],
            createdAt: '2026-11-01T10:00:00Z',
            updatedAt: '2026-11-01T10:05:00Z',
          },
        },
        {
          name: 'production',
          position: 1,
          pendingGates: [],
          requiresApproval: true,
        },
      ],
    };
    const getEnvironments = jest.fn().mockResolvedValue(response);
    await renderWith(getEnvironments);

    expect(await screen.findByText('v1.42.0')).toBeInTheDocument();
    expect(screen.getByText('production')).toBeInTheDocument();
    expect(screen.getByText('Nothing deployed yet')).toBeInTheDocument();
    expect(getEnvironments).toHaveBeenCalledWith(
      'component:default/payments-api',
    );
  });

  it('says why when the entity has no deployments', async () => {
    await renderWith(async () => ({
      entityRef: 'component:default/payments-api',
      environments: [],
      sync: [],
      reason: 'No deployment provider handles this entity',
    }));
    expect(
      await screen.findByText('No deployment provider handles this entity'),
    ).toBeInTheDocument();
  });

  it('shows the error when the backend fails', async () => {
    await renderWith(async () => {
      throw new Error('backend unreachable');
    });
    expect(
      await screen.findByText('Error: backend unreachable', { selector: 'h6' }),
    ).toBeInTheDocument();
  });
});
