import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ActionResponse } from '@stagecraft/plugin-deployments-common';
import { ENTITY_REF, fakeDeploymentsApi } from '../../__testUtils__/fixtures';
import { awsProduction } from '../../__testUtils__/lanes';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { policyRefusal } from '../../__testUtils__/responseErrors';
import { AbortDialog } from './AbortDialog';

const environment = awsProduction();
const canary = environment.latest!;

const aborted: ActionResponse = {
  request: {
    id: 'req-9',
    entityRef: ENTITY_REF,
    action: 'abort',
    environment: 'production',
    version: canary.version,
    state: 'executed',
    requestedBy: 'user:default/guest',
    requestedAt: new Date().toISOString(),
  },
  checks: [],
};

function renderDialog(abort: jest.Mock) {
  const api = { ...fakeDeploymentsApi({}), abort };
  return renderWithFakes(
    <AbortDialog
      entityRef={ENTITY_REF}
      environment={environment}
      deployment={canary}
      onClose={jest.fn()}
      onDone={jest.fn()}
    />,
    api,
  );
}

describe('AbortDialog', () => {
  it('says what will happen: the provider stops the canary and traffic goes back to the live version', async () => {
    await renderDialog(jest.fn());
    expect(
      screen.getByText(
        'aws stops the rollout of v1.41.2 in production and moves all traffic back to v1.40.0, which ran before. The abort and your comment go into the audit log.',
      ),
    ).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Put the previous version back' }),
    );
    expect(
      screen.getByText(
        'aws stops the rollout of v1.41.2 in production: traffic stays as it is (90% v1.40.0 / 10% v1.41.2).',
      ),
    ).toBeInTheDocument();
  });

  it('needs a comment before it aborts, and sends it with the rollout to stop', async () => {
    const abort = jest.fn().mockResolvedValue(aborted);
    await renderDialog(abort);
    const submit = screen.getByRole('button', { name: 'Abort rollout' });
    expect(submit).toBeDisabled();
    expect(
      screen.getByText('A comment is required to abort a rollout'),
    ).toBeInTheDocument();

    await userEvent.type(
      screen.getByRole('textbox', { name: /Comment/ }),
      '  5xx on checkout  ',
    );
    expect(submit).toBeEnabled();
    await userEvent.click(submit);

    expect(abort).toHaveBeenCalledWith(
      ENTITY_REF,
      {
        environment: 'production',
        deploymentId: 'aws:d-ABC123',
        rollback: true,
        comment: '5xx on checkout',
      },
      expect.anything(),
    );
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Done: the abort of v1.41.2 in production was handed to the provider.',
    );
  });

  it('shows the refusal when the backend refuses, e.g. without deployments.abort', async () => {
    const abort = jest.fn().mockRejectedValue(
      await policyRefusal(
        'deployments.abort is not allowed on component:default/payments-api',
        [
          {
            rule: 'permission',
            passed: false,
            message:
              'deployments.abort is not allowed on component:default/payments-api',
          },
        ],
      ),
    );
    await renderDialog(abort);
    await userEvent.type(
      screen.getByRole('textbox', { name: /Comment/ }),
      'stop it',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Abort rollout' }),
    );
    expect(
      (await screen.findAllByText(/deployments\.abort is not allowed/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });
});
