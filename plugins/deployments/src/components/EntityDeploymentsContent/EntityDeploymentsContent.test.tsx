import { screen, waitFor, within } from '@testing-library/react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { EnvironmentsResponse } from '@stagecraft/plugin-deployments-common';
import {
  aTimelineRow,
  ENTITY_REF,
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
      { include: ['permissions', 'timeline'], timelineLimit: 20 },
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

  it('opens with one request: the environments answer carries the permissions and the first timeline page, which the timeline shows without asking again', async () => {
    const getEnvironments = jest.fn(
      async (): Promise<EnvironmentsResponse> => ({
        ...threeLanes(),
        permissions: {
          promote: false,
          approve: true,
          rollback: true,
          abort: true,
          override: false,
        },
        timeline: {
          entityRef: ENTITY_REF,
          environments: ['dev', 'staging', 'production'],
          rows: [
            aTimelineRow(
              '9f3c2ab4d5e6f708192a3b4c5d6e7f8091a2b3c4',
              'v1.42.0',
              {
                dev: {
                  deploymentId: 'github:812',
                  state: 'success',
                  startedAt: minutesAgo(20),
                  finishedAt: minutesAgo(14),
                  attempts: 1,
                },
              },
            ),
          ],
        },
      }),
    );
    const getTimeline = jest.fn();
    const authorize = jest.fn(
      (): AuthorizeResult.ALLOW | AuthorizeResult.DENY => AuthorizeResult.ALLOW,
    );
    await renderWithFakes(
      <EntityDeploymentsContent />,
      fakeDeploymentsApi({
        getEnvironments,
        getTimeline,
        getDiff: async () => {
          throw new Error('no diff in this test');
        },
      }),
      { authorize },
    );

    const timeline = await screen.findByRole('table', {
      name: 'Promotion timeline',
    });
    expect(
      within(timeline).getByRole('rowheader', { name: /v1\.42\.0/ }),
    ).toBeInTheDocument();
    // The lanes follow the permissions of the answer: promote is refused there.
    const staging = screen.getByRole('region', { name: 'Environment staging' });
    expect(
      within(staging).getByRole('button', { name: /Promote to production/ }),
    ).toBeDisabled();
    expect(getEnvironments).toHaveBeenCalledTimes(1);
    expect(getTimeline).not.toHaveBeenCalled();
    expect(authorize).not.toHaveBeenCalled();
  });

  it('asks for the timeline itself when the answer carries no page', async () => {
    const getTimeline = jest.fn().mockResolvedValue({
      entityRef: ENTITY_REF,
      environments: ['dev', 'staging', 'production'],
      rows: [],
    });
    await renderWithFakes(
      <EntityDeploymentsContent />,
      fakeDeploymentsApi({
        getEnvironments: async () => threeLanes(),
        getTimeline,
        getDiff: async () => {
          throw new Error('no diff in this test');
        },
      }),
    );
    await waitFor(() =>
      expect(getTimeline).toHaveBeenCalledWith(ENTITY_REF, { limit: 20 }),
    );
  });
});
