import { screen, within } from '@testing-library/react';
import type {
  RollbackInfo,
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

const ENVIRONMENTS = ['staging', 'production'];
const V1_40_0 = {
  sha: '1a2b3c4ddddeeeeffff00001111222233334444',
  tag: 'v1.40.0',
};

/** v1.41.2 went to staging as a canary, and was rolled back in production as told. */
function timeline(rollback?: RollbackInfo): TimelineResponse {
  return {
    entityRef: ENTITY_REF,
    environments: ENVIRONMENTS,
    rows: [
      aTimelineRow('77d01e40000', 'v1.41.2', {
        staging: {
          deploymentId: 'aws:d-STG1',
          state: 'success',
          startedAt: minutesAgo(120),
          finishedAt: minutesAgo(110),
          attempts: 1,
          strategy: {
            type: 'canary',
            name: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
          },
        },
        production: {
          deploymentId: 'aws:d-XYZ789',
          state: 'rolled_back',
          startedAt: minutesAgo(40),
          finishedAt: minutesAgo(30),
          attempts: 1,
          strategy: { type: 'all-at-once' },
          rollback,
        },
      }),
    ],
  };
}

async function renderCells(response: TimelineResponse) {
  await renderWithFakes(
    <PromotionTimeline entityRef={ENTITY_REF} environments={ENVIRONMENTS} />,
    fakeDeploymentsApi({ getTimeline: jest.fn().mockResolvedValue(response) }),
  );
  await screen.findByText('v1.41.2');
  const cells = screen.getAllByRole('cell');
  return { staging: within(cells[0]), production: within(cells[1]) };
}

describe('PromotionTimeline: strategy and rollback per cell', () => {
  it('labels a canary cell in words, with an icon beside the word', async () => {
    const { staging, production } = await renderCells(timeline());
    const label = staging.getByText('canary');
    expect(label.parentElement!.querySelector('svg')).toHaveAttribute(
      'aria-hidden',
      'true',
    );
    // All at once is the default and adds nothing.
    expect(production.queryByText('all-at-once')).not.toBeInTheDocument();
  });

  it('says a cell was rolled back automatically, why, and which version came back', async () => {
    const { production, staging } = await renderCells(
      timeline({
        automatic: true,
        reason: 'alarm payments-api-5xx in alarm at 14:02',
        restoredVersion: V1_40_0,
      }),
    );
    expect(
      production.getByText(
        'rolled back automatically — alarm payments-api-5xx in alarm at 14:02 · v1.40.0 restored',
      ),
    ).toBeInTheDocument();
    expect(staging.queryByText(/rolled back/)).not.toBeInTheDocument();
  });

  it('says who rolled a cell back by hand, with their comment', async () => {
    const { production } = await renderCells(
      timeline({
        automatic: false,
        reason: 'checkout errors',
        restoredVersion: V1_40_0,
        by: 'alice',
      } as RollbackInfo),
    );
    expect(
      production.getByText(
        'rolled back by alice: checkout errors · v1.40.0 restored',
      ),
    ).toBeInTheDocument();
  });
});

describe('PromotionTimeline: verification per cell', () => {
  it('marks a cell whose checks failed, in words with an icon', async () => {
    const response = timeline();
    response.rows[0].cells.staging!.verificationFailed = true;
    const { staging, production } = await renderCells(response);
    const line = staging.getByText('verification failed');
    expect(line.parentElement!.querySelector('svg')).toHaveAttribute(
      'aria-hidden',
      'true',
    );
    expect(
      production.queryByText('verification failed'),
    ).not.toBeInTheDocument();
  });
});
