import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  ActionResponse,
  DeploymentsApi,
} from '@stagecraft/plugin-deployments-common';
import {
  aDiff,
  ENTITY_REF,
  fakeDeploymentsApi,
  threeLanes,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import {
  policyRefusal,
  responseError,
  unprocessableRefusal,
} from '../../__testUtils__/responseErrors';
import { PromoteDialog } from './PromoteDialog';

const [, staging, production] = threeLanes().environments;

const requested: ActionResponse = {
  request: {
    id: 'req-1',
    entityRef: ENTITY_REF,
    action: 'promote',
    environment: 'production',
    version: staging.current!.version,
    state: 'pending',
    requestedBy: 'user:default/guest',
    requestedAt: new Date().toISOString(),
  },
  checks: [
    {
      rule: 'approval-required',
      passed: true,
      message: 'production needs an approval',
    },
  ],
};

function renderDialog(
  promote: DeploymentsApi['promote'],
  options: { overrideAllowed?: boolean; onDone?: () => void } = {},
) {
  return renderWithFakes(
    <PromoteDialog
      entityRef={ENTITY_REF}
      source={staging}
      target={{ ...production, pendingGates: [] }}
      overridePermission={{
        loading: false,
        allowed: options.overrideAllowed ?? false,
      }}
      onClose={jest.fn()}
      onDone={options.onDone ?? jest.fn()}
    />,
    fakeDeploymentsApi({ promote, getDiff: async () => aDiff() }),
  );
}

const submit = () =>
  userEvent.click(
    screen.getByRole('button', { name: 'Request promotion to production' }),
  );

describe('PromoteDialog', () => {
  it('shows what is about to ship and the gate', async () => {
    await renderDialog(jest.fn());
    expect(
      await screen.findByText('staging is 2 commits ahead of production'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/production requires an approval/),
    ).toBeInTheDocument();
  });

  it('promotes the version with an idempotency key and shows the result', async () => {
    const promote = jest.fn().mockResolvedValue(requested);
    const onDone = jest.fn();
    await renderDialog(promote, { onDone });

    await userEvent.type(screen.getByLabelText('Comment'), 'Ship the hotfix');
    await submit();

    expect(
      await screen.findByText(
        'Requested: v1.41.2 in production now waits for an approval.',
      ),
    ).toBeInTheDocument();
    expect(promote).toHaveBeenCalledWith(
      ENTITY_REF,
      {
        environment: 'production',
        version: 'v1.41.2',
        comment: 'Ship the hotfix',
        overrideReason: undefined,
      },
      { idempotencyKey: expect.stringMatching(/^sc-[0-9a-f-]{36}$/) },
    );
    expect(screen.getByText('approval-required')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(onDone).toHaveBeenCalled();
  });

  it('shows a policy refusal with the names of the rules that refused', async () => {
    const promote = jest.fn().mockRejectedValue(
      await policyRefusal('Refused by policy: promotion-order', [
        {
          rule: 'promotion-order',
          passed: false,
          message: 'v1.41.2 has not succeeded in staging yet',
        },
        { rule: 'permission', passed: true, message: 'allowed' },
      ]),
    );
    await renderDialog(promote);
    await submit();

    expect(
      await screen.findByText('Refused by policy: promotion-order'),
    ).toBeInTheDocument();
    expect(screen.getByText('promotion-order')).toBeInTheDocument();
    expect(
      screen.getByText('v1.41.2 has not succeeded in staging yet'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /Only people with the deployments.override permission can skip/,
      ),
    ).toBeInTheDocument();
  });

  it('shows a refusal by the environment’s provider like other policy refusals', async () => {
    const promote = jest.fn().mockRejectedValue(
      await unprocessableRefusal('Refused by policy: provider-capability', [
        {
          rule: 'provider-capability',
          passed: false,
          message:
            'aws cannot start a deployment of a chosen version in production',
        },
        {
          rule: 'environment-owner',
          passed: true,
          message: 'aws owns production',
        },
      ]),
    );
    await renderDialog(promote);
    await submit();

    expect(
      await screen.findByText('Refused by policy: provider-capability'),
    ).toBeInTheDocument();
    const checks = within(screen.getByRole('list', { name: 'Policy checks' }));
    const [refused, passed] = checks.getAllByRole('listitem');
    expect(refused).toHaveTextContent(
      'provider-capability: refused' +
        'aws cannot start a deployment of a chosen version in production',
    );
    expect(passed).toHaveTextContent(
      'environment-owner: passedaws owns production',
    );
  });

  it('offers an override reason to those allowed to skip the promotion order, and sends it', async () => {
    const promote = jest
      .fn()
      .mockRejectedValueOnce(
        await policyRefusal('Refused by policy', [
          { rule: 'promotion-order', passed: false, message: 'not in staging' },
        ]),
      )
      .mockResolvedValueOnce(requested);
    await renderDialog(promote, { overrideAllowed: true });
    await submit();

    const reason = await screen.findByLabelText(/Override reason/);
    expect(
      screen.getByRole('button', { name: 'Request promotion to production' }),
    ).toBeDisabled();
    await userEvent.type(reason, 'Incident 4711 hotfix');
    await submit();

    await screen.findByText(/now waits for an approval/);
    expect(promote.mock.calls[1][1].overrideReason).toBe(
      'Incident 4711 hotfix',
    );
    // A changed request is a new request: it must not reuse the first key.
    expect(promote.mock.calls[1][2].idempotencyKey).not.toBe(
      promote.mock.calls[0][2].idempotencyKey,
    );
  });

  it('asks for a comment when the policy refused for lack of one', async () => {
    const promote = jest.fn().mockRejectedValue(
      await policyRefusal('A comment is required', [
        {
          rule: 'comment-required',
          passed: false,
          message: 'promotions to production need a comment',
        },
      ]),
    );
    await renderDialog(promote);
    await submit();

    const button = await screen.findByRole('button', {
      name: 'Request promotion to production',
    });
    await waitFor(() => expect(button).toBeDisabled());
    expect(button).toHaveAccessibleDescription(
      'A comment is required for this promotion',
    );
  });

  it('shows a backend error plainly and retries with the same idempotency key', async () => {
    const promote = jest
      .fn()
      .mockRejectedValueOnce(
        await responseError(502, 'Bad Gateway', {
          error: {
            name: 'Error',
            message: 'GitHub refused the workflow dispatch: 422 Unprocessable',
          },
          response: { statusCode: 502 },
        }),
      )
      .mockResolvedValueOnce(requested);
    await renderDialog(promote);
    await submit();

    expect(
      await screen.findByText(
        'GitHub refused the workflow dispatch: 422 Unprocessable',
      ),
    ).toBeInTheDocument();

    await submit();
    await screen.findByText(/now waits for an approval/);
    expect(promote.mock.calls[1][2].idempotencyKey).toBe(
      promote.mock.calls[0][2].idempotencyKey,
    );
  });
});
