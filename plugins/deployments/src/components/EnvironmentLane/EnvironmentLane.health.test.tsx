import { within } from '@testing-library/react';
import { aDeployment, minutesAgo } from '../../__testUtils__/fixtures';
import {
  awsProduction,
  lane,
  production,
  renderLane,
} from '../../__testUtils__/lanes';

/** production running v1.80.1 for three hours, with these checks. */
const runningWith = (
  checks: NonNullable<Parameters<typeof aDeployment>[0]>['checks'],
) =>
  production({
    current: aDeployment({
      id: 'aws:d-OLD',
      provider: 'aws',
      environment: 'production',
      version: {
        sha: '55aa00000000000000000000000000000000000b',
        tag: 'v1.80.1',
      },
      finishedAt: minutesAgo(180),
      updatedAt: minutesAgo(180),
      checks,
    }),
  });

describe('EnvironmentLane: soak time', () => {
  it('says how long the version running now has been healthy, from when it finished', async () => {
    await renderLane(runningWith([{ name: 'smoke test', state: 'passing' }]));
    expect(lane().getByText('healthy for 3 h')).toBeInTheDocument();
  });

  it('counts from when a check turned passing, when that came after the finish', async () => {
    await renderLane(
      runningWith([
        { name: 'alarm payments-5xx', state: 'passing', at: minutesAgo(45) },
      ]),
    );
    expect(lane().getByText('healthy for 45 min')).toBeInTheDocument();
  });

  it('does not call a version healthy while one of its checks fails or is still pending', async () => {
    await renderLane(
      runningWith([
        { name: 'smoke test', state: 'passing' },
        { name: 'alarm payments-5xx', state: 'pending' },
      ]),
    );
    expect(lane().queryByText(/healthy for/)).not.toBeInTheDocument();
  });

  it('says nothing of health when the current deployment has not finished', async () => {
    await renderLane(
      production({
        current: aDeployment({
          environment: 'production',
          state: 'in_progress',
          finishedAt: undefined,
        }),
      }),
    );
    expect(lane().queryByText(/healthy for/)).not.toBeInTheDocument();
  });
});

describe('EnvironmentLane: a failing check', () => {
  it('is a line of its own on the lane, in words, with its detail and link', async () => {
    await renderLane(
      runningWith([
        { name: 'smoke test', state: 'passing' },
        {
          name: 'alarm payments-5xx',
          state: 'failing',
          detail: 'in alarm: 5xx > 2 % for 3 min',
          url: 'https://console.aws.amazon.com/cloudwatch/alarms/payments-5xx',
          at: minutesAgo(4),
        },
      ]),
    );
    const line = lane()
      .getByText(/^check failing:/)
      .closest('p')!;
    expect(line).toHaveTextContent(
      'check failing: alarm payments-5xx, Opens in a new window · in alarm: 5xx > 2 % for 3 min · 4 minutes ago',
    );
    // The line links to the check itself, beside the lane's list of checks.
    expect(
      within(line).getByRole('link', { name: /^alarm payments-5xx/ }),
    ).toHaveAttribute(
      'href',
      'https://console.aws.amazon.com/cloudwatch/alarms/payments-5xx',
    );
    // An icon beside the words, hidden from screen readers, which read the words.
    expect(line.querySelector('svg')).toHaveAttribute('aria-hidden', 'true');
    expect(lane().queryByText(/healthy for/)).not.toBeInTheDocument();
  });

  it('shows a failing check of the rollout in flight, naming its version', async () => {
    const environment = awsProduction();
    await renderLane(
      awsProduction({
        latest: {
          ...environment.latest!,
          checks: [{ name: 'alarm payments-5xx', state: 'failing' }],
        },
      }),
    );
    const line = lane()
      .getByText(/^check failing:/)
      .closest('p')!;
    expect(line).toHaveTextContent(
      'check failing: alarm payments-5xx (rolling out: v1.41.2)',
    );
  });

  it('shows no such line when every check passes', async () => {
    await renderLane(runningWith([{ name: 'smoke test', state: 'passing' }]));
    expect(lane().queryByText(/check failing/)).not.toBeInTheDocument();
  });
});
