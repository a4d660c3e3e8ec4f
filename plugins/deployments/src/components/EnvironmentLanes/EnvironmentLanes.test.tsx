import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  ActionResponse,
  DeploymentActionType,
  DeploymentsApi,
  EnvironmentSummary,
} from '@stagecraft/plugin-deployments-common';
import {
  aDeployment,
  ENTITY_REF,
  fakeDeploymentsApi,
  threeLanes,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { EnvironmentLanes } from './EnvironmentLanes';

function renderLanes(
  environments = threeLanes().environments,
  options: Parameters<typeof renderWithFakes>[2] = {},
  api: DeploymentsApi = fakeDeploymentsApi(),
) {
  return renderWithFakes(
    <EnvironmentLanes
      entityRef={ENTITY_REF}
      environments={environments}
      onActionDone={jest.fn()}
      onCompare={jest.fn()}
    />,
    api,
    options,
  );
}

/** The three lanes with v1.41.2 rolling out into production through AWS, which can abort. */
function rollingOutIntoProduction(): EnvironmentSummary[] {
  const environments = threeLanes().environments;
  environments[2] = {
    ...environments[2],
    pendingGates: [],
    provider: 'aws',
    capabilities: {
      promote: { available: true },
      rollback: { available: true },
      review: { available: true },
      abort: { available: true },
      compare: { available: true },
    },
    latest: aDeployment({
      id: 'aws:d-ABC123',
      provider: 'aws',
      providerDeploymentId: 'd-ABC123',
      environment: 'production',
      version: environments[1].current!.version,
      state: 'in_progress',
    }),
  };
  return environments;
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

  it('keeps "Abort rollout" disabled, saying why, when the client has no abort', async () => {
    await renderLanes(rollingOutIntoProduction());
    const abort = within(lane('production')).getByRole('button', {
      name: 'Abort rollout',
    });
    await waitFor(() =>
      expect(abort).toHaveAccessibleDescription(
        'Aborting a rollout is not available in this backend',
      ),
    );
    expect(abort).toBeDisabled();
  });

  it('asks for deployments.abort for "Abort rollout": refused, the button is disabled with the reason while roll back stays open', async () => {
    const api = Object.assign(fakeDeploymentsApi(), { abort: jest.fn() });
    await renderLanes(
      rollingOutIntoProduction(),
      {
        authorize: request =>
          request.permission.name === 'deployments.abort'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      },
      api,
    );
    const abort = within(lane('production')).getByRole('button', {
      name: 'Abort rollout',
    });
    await waitFor(() =>
      expect(abort).toHaveAccessibleDescription(
        'You do not have permission to abort rollouts of this service',
      ),
    );
    expect(abort).toBeDisabled();
    expect(
      within(lane('production')).getByRole('button', { name: 'Roll back' }),
    ).not.toHaveAccessibleDescription(/permission/);
  });

  it('aborts the rollout in flight through the client’s abort, putting the previous version back', async () => {
    const response: ActionResponse = {
      request: {
        id: 'req-9',
        entityRef: ENTITY_REF,
        // The backend's action type gains `abort` with the endpoint.
        action: 'abort' as DeploymentActionType,
        environment: 'production',
        version: threeLanes().environments[1].current!.version,
        state: 'executed',
        requestedBy: 'user:default/guest',
        requestedAt: new Date().toISOString(),
        providerReference: 'd-ABC123',
      },
      checks: [],
    };
    const abort = jest.fn().mockResolvedValue(response);
    const api = Object.assign(fakeDeploymentsApi(), { abort });
    await renderLanes(rollingOutIntoProduction(), {}, api);

    const button = within(lane('production')).getByRole('button', {
      name: 'Abort rollout',
    });
    await waitFor(() => expect(button).toBeEnabled());
    await userEvent.click(button);
    const dialog = within(await screen.findByRole('dialog'));
    expect(
      dialog.getByText('v1.41.2 is rolling out into production through aws.'),
    ).toBeInTheDocument();
    expect(
      dialog.getByRole('checkbox', { name: 'Put the previous version back' }),
    ).toBeChecked();
    await userEvent.type(dialog.getByLabelText(/^Comment/), '5xx alarm');
    await userEvent.click(
      dialog.getByRole('button', { name: 'Abort rollout' }),
    );

    expect(
      await dialog.findByText(
        'Done: the abort of v1.41.2 in production was handed to the provider (d-ABC123).',
      ),
    ).toBeInTheDocument();
    expect(abort).toHaveBeenCalledWith(
      ENTITY_REF,
      {
        environment: 'production',
        deploymentId: 'aws:d-ABC123',
        rollback: true,
        comment: '5xx alarm',
      },
      { idempotencyKey: expect.stringMatching(/^sc-/) },
    );
  });
});
