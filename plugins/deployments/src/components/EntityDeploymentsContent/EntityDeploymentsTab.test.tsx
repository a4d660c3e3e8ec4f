import { screen } from '@testing-library/react';
import type { EnvironmentsResponse } from '@stagecraft/plugin-deployments-common';
import {
  ENTITY_REF,
  fakeDeploymentsApi,
  threeLanes,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { EntityDeploymentsTab } from './EntityDeploymentsTab';
import { EntityDeploymentsContent } from '../../plugin';
import { Route, Routes } from 'react-router-dom';

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

  it("renders in the entity page's first pass as the plugin's extension: the extension never shows the app's progress", async () => {
    const appProgress = jest.fn(() => <div>app progress</div>);
    const getEnvironments = jest.fn(async () => threeLanes());
    await renderWithFakes(
      // As an app mounts it: the element of a route.
      <Routes>
        <Route path="/*" element={<EntityDeploymentsContent />} />
      </Routes>,
      fakeDeploymentsApi({
        getEnvironments,
        getDiff: async () => {
          throw new Error('no diff in this test');
        },
      }),
      { appComponents: { Progress: appProgress } },
    );

    expect(
      await screen.findByRole(
        'region',
        { name: 'Environment production' },
        { timeout: 5000 },
      ),
    ).toBeInTheDocument();
    // Backstage wraps the extension in React.lazy; handed a promise, the
    // first pass would suspend into the app's Progress and the tab (and its
    // request) would wait for a second one.
    expect(appProgress).not.toHaveBeenCalled();
    expect(getEnvironments).toHaveBeenCalledTimes(1);
  });
});
