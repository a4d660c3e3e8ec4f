import { screen } from '@testing-library/react';
import type { EnvironmentsResponse } from '@stagecraft/plugin-deployments-common';
import {
  ENTITY_REF,
  fakeDeploymentsApi,
  threeLanes,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { EntityDeploymentsTab } from './EntityDeploymentsTab';

describe('EntityDeploymentsTab', () => {
  it("sends the tab's one request as it mounts, and the tab's code takes that answer instead of asking again", async () => {
    let answer: (value: EnvironmentsResponse) => void = () => {};
    const getEnvironments = jest.fn(
      () =>
        new Promise<EnvironmentsResponse>(resolve => {
          answer = resolve;
        }),
    );
    await renderWithFakes(
      <EntityDeploymentsTab />,
      fakeDeploymentsApi({
        getEnvironments,
        getDiff: async () => {
          throw new Error('no diff in this test');
        },
      }),
    );

    // Sent, and not answered yet.
    expect(getEnvironments).toHaveBeenCalledTimes(1);
    expect(getEnvironments).toHaveBeenCalledWith(ENTITY_REF, {
      include: ['permissions', 'timeline'],
      timelineLimit: 20,
    });
    expect(
      screen.queryByRole('region', { name: 'Environment production' }),
    ).not.toBeInTheDocument();

    answer(threeLanes());

    expect(
      await screen.findByRole(
        'region',
        { name: 'Environment production' },
        { timeout: 5000 },
      ),
    ).toBeInTheDocument();
    expect(getEnvironments).toHaveBeenCalledTimes(1);
  });
});
