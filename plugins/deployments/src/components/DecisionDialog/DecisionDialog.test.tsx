import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ActionResponse } from '@stagecraft/plugin-deployments-common';
import {
  aDiff,
  aGate,
  ENTITY_REF,
  fakeDeploymentsApi,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import {
  policyRefusal,
  responseError,
} from '../../__testUtils__/responseErrors';
import { DecisionDialog, Decision } from './DecisionDialog';

const gate = aGate();

const decided = (state: 'approved' | 'rejected'): ActionResponse => ({
  request: {
    id: 'req-2',
    entityRef: ENTITY_REF,
    action: 'promote',
    environment: 'production',
    version: gate.version,
    state,
    requestedBy: 'bob',
    requestedAt: gate.since,
    decidedBy: 'user:default/guest',
  },
  checks: [{ rule: 'no-self-approval', passed: true, message: 'not yours' }],
});

function renderDialog(
  decision: Decision,
  methods: Parameters<typeof fakeDeploymentsApi>[0],
) {
  return renderWithFakes(
    <DecisionDialog
      gate={gate}
      decision={decision}
      onClose={jest.fn()}
      onDone={jest.fn()}
    />,
    fakeDeploymentsApi({ getDiff: async () => aDiff(), ...methods }),
  );
}

describe('DecisionDialog', () => {
  it('shows the gate, its reviewers and what would ship', async () => {
    await renderDialog('approve', {});
    expect(
      screen.getByText(/Reviewers: @team-payments, @alice · wait timer 5 min/),
    ).toBeInTheDocument();
    expect(screen.getByText(/requested by bob/)).toBeInTheDocument();
    expect(
      await screen.findByText('Retry idempotent payment captures', {
        exact: false,
      }),
    ).toBeInTheDocument();
  });

  it('requires a comment before approving', async () => {
    const approve = jest.fn();
    await renderDialog('approve', { approve });
    const button = screen.getByRole('button', { name: 'Approve' });
    expect(button).toBeDisabled();
    expect(button).toHaveAccessibleDescription(
      'A comment is required to approve',
    );

    await userEvent.type(screen.getByLabelText(/Comment/), '   ');
    expect(button).toBeDisabled();
    expect(approve).not.toHaveBeenCalled();
  });

  it('approves the gate with the comment and an idempotency key', async () => {
    const approve = jest.fn().mockResolvedValue(decided('approved'));
    await renderDialog('approve', { approve });

    await userEvent.type(
      screen.getByLabelText(/Comment/),
      'Canary looked fine',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));

    expect(
      await screen.findByText('Approved: v1.41.2 in production is on its way.'),
    ).toBeInTheDocument();
    expect(approve).toHaveBeenCalledWith(
      ENTITY_REF,
      { gateId: gate.id, comment: 'Canary looked fine' },
      { idempotencyKey: expect.stringMatching(/^sc-/) },
    );
  });

  it('rejects through the reject call', async () => {
    const reject = jest.fn().mockResolvedValue(decided('rejected'));
    await renderDialog('reject', { reject });

    await userEvent.type(screen.getByLabelText(/Comment/), 'Error rate rising');
    await userEvent.click(screen.getByRole('button', { name: 'Reject' }));

    expect(
      await screen.findByText(
        'Rejected: v1.41.2 in production will not be deployed.',
      ),
    ).toBeInTheDocument();
    expect(reject).toHaveBeenCalledTimes(1);
  });

  it('shows a self-approval refusal with the rule name', async () => {
    const approve = jest.fn().mockRejectedValue(
      await policyRefusal('You cannot approve your own promotion', [
        {
          rule: 'no-self-approval',
          passed: false,
          message: 'bob requested this promotion',
        },
      ]),
    );
    await renderDialog('approve', { approve });
    await userEvent.type(screen.getByLabelText(/Comment/), 'lgtm');
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));

    expect(
      await screen.findByText('You cannot approve your own promotion'),
    ).toBeInTheDocument();
    expect(screen.getByText('no-self-approval')).toBeInTheDocument();
    expect(
      screen.getByText('bob requested this promotion'),
    ).toBeInTheDocument();
  });

  it('shows a conflict plainly (someone decided first)', async () => {
    const approve = jest.fn().mockRejectedValue(
      await responseError(409, 'Conflict', {
        error: {
          name: 'ConflictError',
          message:
            'Gate github:run-809:production was already approved by alice',
        },
        response: { statusCode: 409 },
      }),
    );
    await renderDialog('approve', { approve });
    await userEvent.type(screen.getByLabelText(/Comment/), 'ok');
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));

    expect(
      await screen.findByText(
        'Gate github:run-809:production was already approved by alice',
      ),
    ).toBeInTheDocument();
  });
});
