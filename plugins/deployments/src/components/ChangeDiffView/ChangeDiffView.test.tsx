import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  aDiff,
  ENTITY_REF,
  fakeDeploymentsApi,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { ChangeDiffView } from './ChangeDiffView';

const ENVIRONMENTS = ['dev', 'staging', 'production'];

describe('ChangeDiffView', () => {
  it('compares the last environment with the one before it by default', async () => {
    const getDiff = jest.fn().mockResolvedValue(aDiff());
    await renderWithFakes(
      <ChangeDiffView entityRef={ENTITY_REF} environments={ENVIRONMENTS} />,
      fakeDeploymentsApi({ getDiff }),
    );

    expect(
      await screen.findByText('staging is 2 commits ahead of production'),
    ).toBeInTheDocument();
    expect(getDiff).toHaveBeenCalledWith(ENTITY_REF, {
      from: 'production',
      to: 'staging',
    });
  });

  it('lists commits with their pull requests, authors and SHAs, and the counts', async () => {
    await renderWithFakes(
      <ChangeDiffView entityRef={ENTITY_REF} environments={ENVIRONMENTS} />,
      fakeDeploymentsApi({ getDiff: async () => aDiff() }),
    );

    expect(
      await screen.findByRole('link', {
        name: /#231 Retry idempotent payment captures/,
      }),
    ).toHaveAttribute('href', 'https://github.com/acme/payments-api/pull/231');
    expect(screen.getByText('Bump boto3 to 1.35')).toBeInTheDocument();
    expect(screen.getByText('dependabot[bot]')).toBeInTheDocument();
    expect(screen.getByText('3f9e1c0')).toBeInTheDocument();
    expect(screen.getByText('2 commits')).toBeInTheDocument();
    expect(screen.getByText('1 pull request')).toBeInTheDocument();
    expect(screen.getByText('2 files')).toBeInTheDocument();
    expect(screen.getByText('+41')).toBeInTheDocument();
    expect(screen.getByText('−7')).toBeInTheDocument();
    expect(screen.getByText('src/payments/capture.py')).toBeInTheDocument();
  });

  it('starts from the pair a lane asked for, and compares versions when picked', async () => {
    const getDiff = jest.fn().mockResolvedValue(aDiff());
    await renderWithFakes(
      <ChangeDiffView
        entityRef={ENTITY_REF}
        environments={ENVIRONMENTS}
        versions={[{ sha: '1a2b3c4d', tag: 'v1.40.0' }]}
        from="staging"
        to="dev"
      />,
      fakeDeploymentsApi({ getDiff }),
    );
    await screen.findByText(/commits ahead/);
    expect(getDiff).toHaveBeenCalledWith(ENTITY_REF, {
      from: 'staging',
      to: 'dev',
    });

    await userEvent.selectOptions(screen.getByLabelText('From'), 'v1.40.0');

    expect(getDiff).toHaveBeenLastCalledWith(ENTITY_REF, {
      from: 'v1.40.0',
      to: 'dev',
    });
  });

  it('shows the backend error when the diff cannot be computed', async () => {
    await renderWithFakes(
      <ChangeDiffView entityRef={ENTITY_REF} environments={ENVIRONMENTS} />,
      fakeDeploymentsApi({
        getDiff: async () => {
          throw new Error('unknown environment "qa"');
        },
      }),
    );
    expect(
      (await screen.findAllByText(/unknown environment "qa"/)).length,
    ).toBeGreaterThan(0);
  });
});
