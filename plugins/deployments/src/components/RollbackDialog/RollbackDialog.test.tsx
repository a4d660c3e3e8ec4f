import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TimelineResponse } from '@stagecraft/plugin-deployments-common';
import {
  aDiff,
  aTimelineRow,
  ENTITY_REF,
  fakeDeploymentsApi,
  minutesAgo,
  threeLanes,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { unprocessableRefusal } from '../../__testUtils__/responseErrors';
import { RollbackDialog } from './RollbackDialog';

const production = threeLanes().environments[2];

const cell = (state: 'success' | 'failure', minutes: number) => ({
  deploymentId: `github:${minutes}`,
  state,
  startedAt: minutesAgo(minutes),
  attempts: 1,
});

const history: TimelineResponse = {
  entityRef: ENTITY_REF,
  environments: ['production'],
  rows: [
    aTimelineRow(production.current!.version.sha, 'v1.40.0', {
      production: cell('success', 4000),
    }),
    aTimelineRow('c0ffee10000', 'v1.39.1', {
      production: cell('failure', 6000),
    }),
    aTimelineRow('b00b1e50000', 'v1.39.0', {
      production: cell('success', 9000),
    }),
    aTimelineRow('a11ce000000', 'v1.38.0', {
      production: cell('success', 20000),
    }),
  ],
};

function renderDialog(methods: Parameters<typeof fakeDeploymentsApi>[0]) {
  return renderWithFakes(
    <RollbackDialog
      entityRef={ENTITY_REF}
      environment={production}
      onClose={jest.fn()}
      onDone={jest.fn()}
    />,
    fakeDeploymentsApi({
      getTimeline: async () => history,
      getDiff: async () => aDiff({ status: 'behind', aheadBy: 0, behindBy: 4 }),
      ...methods,
    }),
  );
}

describe('RollbackDialog', () => {
  it('offers the earlier successful versions, newest first, skipping failures and the current one', async () => {
    await renderDialog({});
    const picker = await screen.findByLabelText('Roll back to');
    const options = Array.from(
      (picker as HTMLSelectElement).options,
      o => o.textContent,
    );
    expect(options).toEqual([
      expect.stringMatching(/^v1\.39\.0/),
      expect.stringMatching(/^v1\.38\.0/),
    ]);
  });

  it('rolls back to the chosen version with a comment', async () => {
    const rollback = jest.fn().mockResolvedValue({
      request: {
        id: 'req-3',
        entityRef: ENTITY_REF,
        action: 'rollback',
        environment: 'production',
        version: { sha: 'a11ce000000', tag: 'v1.38.0' },
        state: 'executed',
        requestedBy: 'user:default/guest',
        requestedAt: new Date().toISOString(),
        providerReference: 'workflow run 905',
      },
      checks: [],
    });
    await renderDialog({ rollback });
    await userEvent.selectOptions(
      await screen.findByLabelText('Roll back to'),
      'a11ce000000',
    );
    await userEvent.type(screen.getByLabelText(/Comment/), 'Bad canary');
    await userEvent.click(
      screen.getByRole('button', { name: 'Roll back to v1.38.0' }),
    );

    expect(
      await screen.findByText(
        'Done: the rollback of v1.38.0 in production was handed to the provider (workflow run 905).',
      ),
    ).toBeInTheDocument();
    expect(rollback).toHaveBeenCalledWith(
      ENTITY_REF,
      { environment: 'production', version: 'v1.38.0', comment: 'Bad canary' },
      { idempotencyKey: expect.stringMatching(/^sc-/) },
    );
  });

  it('shows a refusal for want of an owning provider with the rule that refused', async () => {
    const rollback = jest.fn().mockRejectedValue(
      await unprocessableRefusal('Refused by policy: environment-owner', [
        {
          rule: 'environment-owner',
          passed: false,
          message: 'github and aws both deploy to production',
        },
      ]),
    );
    await renderDialog({ rollback });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Roll back to v1.39.0' }),
    );

    expect(
      await screen.findByText('Refused by policy: environment-owner'),
    ).toBeInTheDocument();
    expect(screen.getByText('environment-owner')).toBeInTheDocument();
    expect(
      screen.getByText('github and aws both deploy to production'),
    ).toBeInTheDocument();
  });

  it('says what the roll back removes', async () => {
    await renderDialog({});
    expect(
      await screen.findByText(
        'staging is 4 commits behind production (going there is a roll back)',
      ),
    ).toBeInTheDocument();
  });

  it('cannot roll back when no earlier version succeeded', async () => {
    await renderDialog({
      getTimeline: async () => ({ ...history, rows: history.rows.slice(0, 2) }),
    });
    expect(
      await screen.findByText('No earlier version succeeded in production.'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Roll back' })).toBeDisabled();
  });
});
