import { screen, within } from '@testing-library/react';
import {
  fakeDeploymentsApi,
  minutesAgo,
  threeLanes,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import type { DeploymentsApi } from '../../api';
import { EntityDeploymentsContent } from './EntityDeploymentsContent';

function renderContent(getEnvironments: DeploymentsApi['getEnvironments']) {
  return renderWithFakes(
    <EntityDeploymentsContent />,
    fakeDeploymentsApi({
      getEnvironments,
      getDiff: async () => {
        throw new Error('no diff in this test');
      },
    }),
  );
}

describe('EntityDeploymentsContent', () => {
  it('asks for the environments of the entity on the page and shows a lane for each', async () => {
    const getEnvironments = jest.fn().mockResolvedValue(threeLanes());
    await renderContent(getEnvironments);

    expect(
      await screen.findByRole('region', { name: 'Environment production' }),
    ).toBeInTheDocument();
    const dev = screen.getByRole('region', { name: 'Environment dev' });
    expect(within(dev).getByText('v1.42.0')).toBeInTheDocument();
    expect(getEnvironments).toHaveBeenCalledWith(
      'component:default/payments-api',
    );
  });

  it('shows when the data was last synced', async () => {
    await renderContent(async () => threeLanes());
    expect(await screen.findByText(/last synced/)).toHaveTextContent(
      'last synced 1 minute ago',
    );
  });

  it('says why when the entity has no deployments', async () => {
    await renderContent(async () => ({
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
    await renderContent(async () => {
      throw new Error('backend unreachable');
    });
    expect(
      await screen.findByText('Error: backend unreachable', { selector: 'h6' }),
    ).toBeInTheDocument();
  });

  it('warns that a provider is stale, with its error, and still shows the last known state', async () => {
    const response = threeLanes();
    response.sync = [
      {
        provider: 'github',
        stale: true,
        lastSuccessAt: minutesAgo(180),
        lastAttemptAt: minutesAgo(2),
        lastErrorAt: minutesAgo(2),
        lastError: 'GitHub answered 502 Bad Gateway',
      },
    ];
    await renderContent(async () => response);

    expect(
      await screen.findByText(/Data from github may be out of date/),
    ).toHaveTextContent(
      'Data from github may be out of date: the last sync (2 minutes ago) failed: GitHub answered 502 Bad Gateway. Showing the state from 3 hours ago.',
    );
    expect(screen.getByText('github (stale)')).toBeInTheDocument();
    const production = screen.getByRole('region', {
      name: 'Environment production',
    });
    expect(within(production).getByText('v1.40.0')).toBeInTheDocument();
  });
});
