import { screen, waitFor, within } from '@testing-library/react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ENTITY_REF,
  fakeDeploymentsApi,
  threeLanes,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { EnvironmentLanes } from './EnvironmentLanes';

function renderLanes(
  environments = threeLanes().environments,
  options: Parameters<typeof renderWithFakes>[2] = {},
) {
  return renderWithFakes(
    <EnvironmentLanes
      entityRef={ENTITY_REF}
      environments={environments}
      onActionDone={jest.fn()}
      onCompare={jest.fn()}
    />,
    fakeDeploymentsApi(),
    options,
  );
}

const lane = (name: string) =>
  screen.getByRole('region', { name: `Environment ${name}` });

describe('EnvironmentLanes', () => {
  it('shows one lane per environment, in promotion order', async () => {
    await renderLanes();
    const names = screen
      .getAllByRole('heading', { level: 3 })
      .map(h => h.textContent);
    expect(names).toEqual(['dev', 'staging', 'production']);
  });

  it('shows what runs in a lane: version, status, age, who, run link, strategy and lag', async () => {
    await renderLanes();
    const production = within(lane('production'));
    expect(production.getByText('v1.40.0')).toBeInTheDocument();
    expect(production.getByText('1a2b3c4')).toBeInTheDocument();
    expect(production.getAllByText('success')[0]).toBeInTheDocument();
    expect(production.getByText('3 days ago')).toBeInTheDocument();
    expect(production.getByText(/by carol · github/)).toBeInTheDocument();
    expect(production.getByRole('link', { name: /^run #812/ })).toHaveAttribute(
      'href',
      'https://github.com/acme/payments-api/actions/runs/812',
    );
    expect(production.getByText('canary · 10% traffic')).toBeInTheDocument();
    expect(
      production.getByText('7 commits behind staging'),
    ).toBeInTheDocument();
  });

  it('shows a pending gate with its reviewers, wait time and requester', async () => {
    await renderLanes();
    const gate = within(
      screen.getByRole('group', { name: 'Pending gate for v1.41.2' }),
    );
    expect(
      gate.getByText('Reviewers: @team-payments, @alice'),
    ).toBeInTheDocument();
    expect(gate.getByText(/12 minutes ago/)).toBeInTheDocument();
    expect(
      gate.getByText(/wait timer 5 min · requested by bob/),
    ).toBeInTheDocument();
    expect(gate.getByRole('button', { name: 'Approve' })).toBeEnabled();
  });

  it('offers to promote each lane into the next one', async () => {
    await renderLanes();
    expect(
      within(lane('dev')).getByRole('button', { name: 'Promote to staging' }),
    ).toBeEnabled();
    expect(
      within(lane('production')).queryByRole('button', { name: /Promote/ }),
    ).not.toBeInTheDocument();
  });

  it('disables promote with the reason when the next lane already runs the version', async () => {
    const response = threeLanes();
    response.environments[1].current = {
      ...response.environments[0].current!,
      environment: 'staging',
    };
    await renderLanes(response.environments);
    const button = within(lane('dev')).getByRole('button', {
      name: 'Promote to staging',
    });
    expect(button).toBeDisabled();
    expect(button).toHaveAccessibleDescription(
      'Nothing to promote: staging already runs v1.42.0',
    );
  });

  it('keeps the action buttons visible but disabled, saying why, when permission is denied', async () => {
    await renderLanes(undefined, { authorize: AuthorizeResult.DENY });
    const promote = within(lane('dev')).getByRole('button', {
      name: 'Promote to staging',
    });
    await waitFor(() => expect(promote).toBeDisabled());
    expect(promote).toHaveAccessibleDescription(
      'You do not have permission to promote this service',
    );
    const approve = screen.getByRole('button', { name: 'Approve' });
    expect(approve).toBeDisabled();
    expect(approve).toHaveAccessibleDescription(
      'You do not have permission to approve deployments of this service',
    );
    expect(
      within(lane('production')).getByRole('button', { name: 'Roll back' }),
    ).toHaveAccessibleDescription(
      'You do not have permission to roll back this service',
    );
  });

  it('does not let the requester approve their own promotion', async () => {
    await renderLanes(undefined, { userEntityRef: 'user:default/bob' });
    const approve = screen.getByRole('button', { name: 'Approve' });
    await waitFor(() => expect(approve).toBeDisabled());
    expect(approve).toHaveAccessibleDescription(
      'You requested this promotion; another person has to approve it',
    );
  });
});
