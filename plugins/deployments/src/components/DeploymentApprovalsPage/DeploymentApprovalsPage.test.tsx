import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { aGate, fakeDeploymentsApi, aDiff } from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { DeploymentApprovalsPage } from './DeploymentApprovalsPage';

const gates = [
  aGate(),
  aGate({
    id: 'stagecraft:req-9',
    kind: 'portal',
    provider: 'github',
    entityRef: 'component:default/storefront-web',
    environment: 'staging',
    version: { sha: 'abcdef1234567', tag: 'v3.0.0' },
    requestedBy: 'user:default/guest',
  }),
];

const rowOf = (service: string) =>
  screen.getByRole('rowheader', { name: new RegExp(service) }).closest('tr')!;

describe('DeploymentApprovalsPage', () => {
  it('lists every gate waiting for the user, with links to the services', async () => {
    await renderWithFakes(
      <DeploymentApprovalsPage />,
      fakeDeploymentsApi({ getApprovals: async () => ({ gates }) }),
    );

    expect(
      await screen.findByRole('link', { name: /payments-api/ }),
    ).toHaveAttribute('href', '/catalog/default/component/payments-api');
    const storefront = within(rowOf('storefront-web'));
    expect(storefront.getByText('staging')).toBeInTheDocument();
    expect(storefront.getByText(/v3\.0\.0/)).toBeInTheDocument();
  });

  it('labels a gate’s link by where it opens, and names an artifact-only version by its artifact', async () => {
    await renderWithFakes(
      <DeploymentApprovalsPage />,
      fakeDeploymentsApi({
        getApprovals: async () => ({
          gates: [
            aGate({
              id: 'aws:payments-pipeline:Approve',
              provider: 'aws',
              type: 'manual-approval',
              url: 'https://console.aws.amazon.com/codesuite/codepipeline/pipelines/payments',
              version: {
                sha: 'artifact:lambda-version:12',
                tag: 'v1.41.2',
                commitUnknown: true,
                artifact: { kind: 'lambda-version', id: '12' },
              },
            }),
          ],
        }),
      }),
    );
    const row = within(
      await screen.findByRole('row', { name: /payments-api/ }),
    );
    expect(row.getByRole('link', { name: /^open in aws/ })).toHaveAttribute(
      'href',
      'https://console.aws.amazon.com/codesuite/codepipeline/pipelines/payments',
    );
    expect(row.getByText('Lambda version 12')).toBeInTheDocument();
    expect(row.queryByText(/artifac/)).not.toBeInTheDocument();
  });

  it('does not let users approve their own requests, and says so', async () => {
    await renderWithFakes(
      <DeploymentApprovalsPage />,
      fakeDeploymentsApi({ getApprovals: async () => ({ gates }) }),
    );
    await screen.findByRole('link', { name: /storefront-web/ });
    const approve = within(rowOf('storefront-web')).getByRole('button', {
      name: 'Approve',
    });
    await waitFor(() => expect(approve).toBeDisabled());
    expect(approve).toHaveAccessibleDescription(
      'You requested this promotion; another person has to approve it',
    );
    expect(
      within(rowOf('payments-api')).getByRole('button', { name: 'Approve' }),
    ).toBeEnabled();
  });

  it('approves from the list and reloads it', async () => {
    const getApprovals = jest
      .fn()
      .mockResolvedValueOnce({ gates })
      .mockResolvedValue({ gates: gates.slice(1) });
    const approve = jest.fn().mockResolvedValue({
      request: {
        id: 'req-1',
        entityRef: gates[0].entityRef,
        action: 'promote',
        environment: 'production',
        version: gates[0].version,
        state: 'approved',
        requestedBy: 'bob',
        requestedAt: gates[0].since,
      },
      checks: [],
    });
    await renderWithFakes(
      <DeploymentApprovalsPage />,
      fakeDeploymentsApi({
        getApprovals,
        approve,
        getDiff: async () => aDiff(),
      }),
    );
    await screen.findByRole('link', { name: /payments-api/ });
    await userEvent.click(
      within(rowOf('payments-api')).getByRole('button', { name: 'Approve' }),
    );
    await userEvent.type(screen.getByLabelText(/Comment/), 'Go');
    await userEvent.click(
      within(screen.getByRole('dialog')).getByRole('button', {
        name: 'Approve',
      }),
    );
    await screen.findByText(/Approved: v1\.41\.2 in production/);
    await userEvent.click(screen.getByRole('button', { name: 'Close' }));

    await waitFor(() =>
      expect(
        screen.queryByRole('link', { name: /payments-api/ }),
      ).not.toBeInTheDocument(),
    );
    expect(approve).toHaveBeenCalledWith(
      'component:default/payments-api',
      { gateId: gates[0].id, comment: 'Go' },
      expect.anything(),
    );
  });

  it('keeps the buttons, disabled with the reason, without the approve permission', async () => {
    await renderWithFakes(
      <DeploymentApprovalsPage />,
      fakeDeploymentsApi({ getApprovals: async () => ({ gates }) }),
      { authorize: AuthorizeResult.DENY },
    );
    await screen.findByRole('link', { name: /payments-api/ });
    const reject = within(rowOf('payments-api')).getByRole('button', {
      name: 'Reject',
    });
    await waitFor(() => expect(reject).toBeDisabled());
    expect(reject).toHaveAccessibleDescription(
      'You do not have permission to reject deployments of this service',
    );
  });

  it('says when nothing is waiting', async () => {
    await renderWithFakes(
      <DeploymentApprovalsPage />,
      fakeDeploymentsApi({ getApprovals: async () => ({ gates: [] }) }),
    );
    expect(
      await screen.findByText('Nothing is waiting for your approval'),
    ).toBeInTheDocument();
  });

  it('shows the error when the approvals cannot be loaded', async () => {
    await renderWithFakes(
      <DeploymentApprovalsPage />,
      fakeDeploymentsApi({
        getApprovals: async () => {
          throw new Error('deployments backend is down');
        },
      }),
    );
    expect(
      (await screen.findAllByText(/deployments backend is down/)).length,
    ).toBeGreaterThan(0);
  });
});
