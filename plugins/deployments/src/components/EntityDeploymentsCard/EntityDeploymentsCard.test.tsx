import { screen, within } from '@testing-library/react';
import {
  fakeDeploymentsApi,
  minutesAgo,
  threeLanes,
} from '../../__testUtils__/fixtures';
import { awsProduction } from '../../__testUtils__/lanes';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { EntityDeploymentsCard } from './EntityDeploymentsCard';

describe('EntityDeploymentsCard', () => {
  it('shows each environment’s version and, for a canary in flight, its traffic in one line', async () => {
    const lanes = threeLanes();
    const production = awsProduction({
      latest: { ...awsProduction().latest!, createdAt: minutesAgo(2) },
    });
    lanes.environments[2] = production;
    await renderWithFakes(
      <EntityDeploymentsCard />,
      fakeDeploymentsApi({ getEnvironments: async () => lanes }),
    );

    const list = await screen.findByRole('list', { name: 'Environments' });
    const lines = within(list).getAllByRole('listitem');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toHaveTextContent(
      '10% v1.41.2 canary / 90% v1.40.0 live · canary: next 100% in 3 min',
    );
    // Environments where one version serves everything say nothing extra.
    expect(lines[0]).not.toHaveTextContent('%');
  });
});
