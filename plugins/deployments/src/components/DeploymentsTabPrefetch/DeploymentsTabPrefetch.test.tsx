import { screen } from '@testing-library/react';
import type { EnvironmentsResponse } from '@stagecraft/plugin-deployments-common';
import {
  ENTITY_REF,
  fakeDeploymentsApi,
  threeLanes,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { EntityDeploymentsTab } from '../EntityDeploymentsContent/EntityDeploymentsTab';
import { DeploymentsTabPrefetch } from './DeploymentsTabPrefetch';

function apiAnsweringLater() {
  let answer: (value: EnvironmentsResponse) => void = () => {};
  const getEnvironments = jest.fn(
    () =>
      new Promise<EnvironmentsResponse>(resolve => {
        answer = resolve;
      }),
  );
  const api = fakeDeploymentsApi({
    getEnvironments,
    getDiff: async () => {
      throw new Error('no diff in this test');
    },
  });
  return {
    api,
    getEnvironments,
    answer: (value: EnvironmentsResponse) => answer(value),
  };
}

describe('DeploymentsTabPrefetch', () => {
  it("sends the tab's request from the address before the entity page renders, and the tab takes that answer", async () => {
    const { api, getEnvironments, answer } = apiAnsweringLater();
    await renderWithFakes(<DeploymentsTabPrefetch />, api, {
      path: '/catalog/default/component/payments-api/deployments',
    });
    expect(getEnvironments).toHaveBeenCalledTimes(1);
    expect(getEnvironments).toHaveBeenCalledWith(ENTITY_REF, {
      include: ['permissions', 'timeline'],
      timelineLimit: 20,
    });

    // The entity is in: the entity page renders the tab, which asks nothing.
    await renderWithFakes(<EntityDeploymentsTab />, api);
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

  it('names the entity as the catalog does, whatever the case of the address', async () => {
    const { api, getEnvironments } = apiAnsweringLater();
    await renderWithFakes(<DeploymentsTabPrefetch />, api, {
      path: '/catalog/Default/Component/Payments-API/deployments/',
    });
    expect(getEnvironments).toHaveBeenCalledWith(ENTITY_REF, expect.anything());
  });

  it.each([
    ['the entity overview', '/catalog/default/component/payments-api'],
    ['another tab', '/catalog/default/component/payments-api/ci-cd'],
    ['the catalog', '/catalog'],
    ['a page of the plugin', '/deployments/approvals'],
  ])('sends nothing on %s', async (_what, path) => {
    const { api, getEnvironments } = apiAnsweringLater();
    await renderWithFakes(<DeploymentsTabPrefetch />, api, { path });
    expect(getEnvironments).not.toHaveBeenCalled();
  });

  it("follows the app's own paths", async () => {
    const { api, getEnvironments } = apiAnsweringLater();
    await renderWithFakes(
      <DeploymentsTabPrefetch
        entityPath="/software/:namespace/:kind/:name/"
        tabPath="delivery"
      />,
      api,
      { path: '/software/default/component/payments-api/delivery' },
    );
    expect(getEnvironments).toHaveBeenCalledWith(ENTITY_REF, expect.anything());
  });
});
