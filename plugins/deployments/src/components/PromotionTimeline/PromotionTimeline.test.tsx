import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  Deployment,
  TimelineCell,
  TimelineResponse,
} from '@stagecraft/plugin-deployments-common';
import {
  aTimelineRow,
  ENTITY_REF,
  fakeDeploymentsApi,
  minutesAgo,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { PromotionTimeline } from './PromotionTimeline';

const ENVIRONMENTS = ['dev', 'staging', 'production'];

const firstPage: TimelineResponse = {
  entityRef: ENTITY_REF,
  environments: ENVIRONMENTS,
  rows: [
    aTimelineRow('9f3c2ab0000', 'v1.42.0', {
      dev: {
        deploymentId: 'github:812',
        state: 'success',
        startedAt: minutesAgo(20),
        finishedAt: minutesAgo(14),
        durationSeconds: 360,
        triggeredBy: 'alice',
        attempts: 1,
      },
    }),
    aTimelineRow('77d01e40000', 'v1.41.2', {
      dev: {
        deploymentId: 'github:800',
        state: 'success',
        startedAt: minutesAgo(200),
        attempts: 1,
      },
      staging: {
        deploymentId: 'github:809',
        state: 'success',
        startedAt: minutesAgo(180),
        finishedAt: minutesAgo(122),
        durationSeconds: 58 * 60,
        triggeredBy: 'ci-bot',
        attempts: 2,
      },
      production: {
        deploymentId: 'github:810',
        state: 'waiting',
        startedAt: minutesAgo(12),
        attempts: 1,
      },
    }),
  ],
  nextCursor: 'cursor-2',
};

const secondPage: TimelineResponse = {
  entityRef: ENTITY_REF,
  environments: ENVIRONMENTS,
  rows: [
    aTimelineRow('c0ffee10000', 'v1.41.1', {
      staging: {
        deploymentId: 'github:700',
        state: 'rolled_back',
        startedAt: minutesAgo(3000),
        attempts: 1,
      },
    }),
  ],
};

function renderTimeline(getTimeline: jest.Mock) {
  return renderWithFakes(
    <PromotionTimeline entityRef={ENTITY_REF} environments={ENVIRONMENTS} />,
    fakeDeploymentsApi({ getTimeline }),
  );
}

const rowOf = (label: string) =>
  screen.getByRole('rowheader', { name: new RegExp(label) }).closest('tr')!;

describe('PromotionTimeline', () => {
  it('shows versions as rows and environments as columns, with outcome, time, duration and who', async () => {
    await renderTimeline(jest.fn().mockResolvedValue(firstPage));

    expect(await screen.findByText('v1.41.2')).toBeInTheDocument();
    expect(screen.getAllByRole('columnheader').map(h => h.textContent)).toEqual(
      ['Version', 'dev', 'staging', 'production'],
    );
    const row = within(rowOf('v1.41.2'));
    expect(row.getByText('waiting for approval')).toBeInTheDocument();
    expect(row.getByText(/took 58 min/)).toBeInTheDocument();
    expect(row.getByText(/by ci-bot · 2 attempts/)).toBeInTheDocument();
    expect(
      within(rowOf('v1.42.0')).getAllByLabelText('not deployed'),
    ).toHaveLength(2);
  });

  it('loads the next page with the cursor and appends it', async () => {
    const getTimeline = jest
      .fn()
      .mockResolvedValueOnce(firstPage)
      .mockResolvedValueOnce(secondPage);
    await renderTimeline(getTimeline);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Load more' }),
    );

    expect(await screen.findByText('v1.41.1')).toBeInTheDocument();
    expect(screen.getByText('v1.42.0')).toBeInTheDocument();
    expect(getTimeline).toHaveBeenLastCalledWith(
      ENTITY_REF,
      expect.objectContaining({ cursor: 'cursor-2' }),
    );
    expect(
      screen.queryByRole('button', { name: 'Load more' }),
    ).not.toBeInTheDocument();
  });

  it('starts again from the first page when the environment filter changes', async () => {
    const getTimeline = jest.fn().mockResolvedValue(firstPage);
    await renderTimeline(getTimeline);
    await screen.findByText('v1.42.0');

    await userEvent.selectOptions(
      screen.getByLabelText('Environment'),
      'staging',
    );

    expect(getTimeline).toHaveBeenLastCalledWith(ENTITY_REF, {
      limit: 20,
      cursor: undefined,
      environment: ['staging'],
      since: undefined,
    });
    expect(
      (await screen.findAllByRole('columnheader')).map(h => h.textContent),
    ).toEqual(['Version', 'staging']);
  });

  it('passes a time filter as the "since" of the query', async () => {
    const getTimeline = jest.fn().mockResolvedValue(firstPage);
    await renderTimeline(getTimeline);
    await screen.findByText('v1.42.0');

    await userEvent.selectOptions(screen.getByLabelText('Since'), '7');

    const since = getTimeline.mock.lastCall[1].since;
    const days = (Date.now() - Date.parse(since)) / 86400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
  });

  it('narrows to versions rolled back or failing verification, and says so when none match', async () => {
    const getTimeline = jest
      .fn()
      .mockResolvedValueOnce(firstPage)
      .mockResolvedValue({ ...firstPage, rows: [], nextCursor: undefined });
    await renderTimeline(getTimeline);
    await screen.findByText('v1.42.0');

    await userEvent.selectOptions(
      screen.getByLabelText('Outcome'),
      'Failed verification',
    );
    expect(getTimeline).toHaveBeenLastCalledWith(ENTITY_REF, {
      limit: 20,
      outcome: ['failed-verification'],
    });
    expect(
      await screen.findByText('No versions with this outcome'),
    ).toBeInTheDocument();

    await userEvent.selectOptions(
      screen.getByLabelText('Outcome'),
      'Rolled back',
    );
    expect(getTimeline).toHaveBeenLastCalledWith(ENTITY_REF, {
      limit: 20,
      outcome: ['rolled-back'],
    });
  });

  it('labels a cell\'s link by what it opens, "deployment" when the backend does not say', async () => {
    const cell = (url: string, urlLabel?: string) => ({
      deploymentId: 'github:1400000617',
      state: 'success' as const,
      startedAt: minutesAgo(30),
      attempts: 1,
      url,
      urlLabel,
    });
    await renderTimeline(
      jest.fn().mockResolvedValue({
        entityRef: ENTITY_REF,
        environments: ENVIRONMENTS,
        rows: [
          aTimelineRow('9f3c2ab0000', 'v1.42.0', {
            dev: cell(
              'https://github.com/acme/payments-api/actions/runs/812',
              'run #812',
            ),
            staging: cell('https://github.com/acme/payments-api/deployments'),
          }),
        ],
      }),
    );
    const row = within(await screen.findByRole('row', { name: /v1.42.0/ }));
    expect(row.getByRole('link', { name: /^run #812/ })).toHaveAttribute(
      'href',
      'https://github.com/acme/payments-api/actions/runs/812',
    );
    expect(row.getByRole('link', { name: /^deployment/ })).toHaveAttribute(
      'href',
      'https://github.com/acme/payments-api/deployments',
    );
    expect(
      row.queryByRole('link', { name: /^run(,|$)/ }),
    ).not.toBeInTheDocument();
  });

  it('links to other providers’ reports of the same rollout in the cell', async () => {
    // Sent by the v2 backend; `TimelineCell` does not declare these fields yet.
    const awsCell: TimelineCell & Pick<Deployment, 'urlLabel' | 'links'> = {
      deploymentId: 'aws:d-ABC123',
      state: 'success',
      startedAt: minutesAgo(30),
      attempts: 1,
      url: 'https://console.aws.amazon.com/codesuite/codedeploy/deployments/d-ABC123',
      urlLabel: 'CodeDeploy d-ABC123',
      links: [
        {
          provider: 'github',
          providerDeploymentId: '1400000617',
          label: 'run #812',
          url: 'https://github.com/acme/payments-api/actions/runs/812',
        },
      ],
    };
    await renderTimeline(
      jest.fn().mockResolvedValue({
        entityRef: ENTITY_REF,
        environments: ENVIRONMENTS,
        rows: [aTimelineRow('9f3c2ab0000', 'v1.42.0', { production: awsCell })],
      }),
    );
    const row = within(await screen.findByRole('row', { name: /v1.42.0/ }));
    expect(
      row.getByRole('link', { name: /^CodeDeploy d-ABC123/ }),
    ).toBeInTheDocument();
    expect(
      row.getByRole('link', { name: /^github: run #812/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/payments-api/actions/runs/812',
    );
  });

  it('names a version whose commit is unknown by its artifact', async () => {
    await renderTimeline(
      jest.fn().mockResolvedValue({
        entityRef: ENTITY_REF,
        environments: ENVIRONMENTS,
        rows: [
          {
            version: {
              sha: 'artifact:lambda-version:12',
              commitUnknown: true,
              artifact: { kind: 'lambda-version', id: '12' },
            },
            firstSeenAt: minutesAgo(60),
            cells: {},
          },
        ],
      }),
    );
    expect(
      await screen.findByRole('rowheader', { name: 'Lambda version 12' }),
    ).toBeInTheDocument();
    expect(screen.queryByText(/artifact:/)).not.toBeInTheDocument();
  });

  it('says so when no version matches', async () => {
    await renderTimeline(
      jest
        .fn()
        .mockResolvedValue({ ...firstPage, rows: [], nextCursor: undefined }),
    );
    expect(
      await screen.findByText('No versions in this range'),
    ).toBeInTheDocument();
  });
});
