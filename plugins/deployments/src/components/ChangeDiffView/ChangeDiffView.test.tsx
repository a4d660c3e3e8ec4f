import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  aDiff,
  ENTITY_REF,
  fakeDeploymentsApi,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { responseError } from '../../__testUtils__/responseErrors';
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

  it('says why there is no diff, rather than "the same commit", when the backend could not make one', async () => {
    const reason =
      'production runs Lambda version 12, whose commit is unknown, so there is nothing to compare';
    await renderWithFakes(
      <ChangeDiffView entityRef={ENTITY_REF} environments={ENVIRONMENTS} />,
      fakeDeploymentsApi({
        getDiff: async () =>
          aDiff({
            status: 'identical',
            aheadBy: 0,
            behindBy: 0,
            totalCommits: 0,
            commits: [],
            files: [],
            additions: 0,
            deletions: 0,
            reason,
          }),
      }),
    );

    expect(await screen.findByText(reason)).toBeInTheDocument();
    expect(screen.queryByText(/run the same commit/)).not.toBeInTheDocument();
    expect(screen.queryByText('0 commits')).not.toBeInTheDocument();
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

  it('says nothing has reached an environment yet, rather than failing, when nothing has succeeded there', async () => {
    const nothingInProduction = await responseError(400, 'Bad Request', {
      error: {
        name: 'InputError',
        message: "from 'production': nothing has succeeded in production yet",
      },
      response: { statusCode: 400 },
    });
    await renderWithFakes(
      <ChangeDiffView
        entityRef={ENTITY_REF}
        environments={ENVIRONMENTS}
        versions={[{ sha: '1a2b3c4d', tag: 'v1.40.0' }]}
      />,
      fakeDeploymentsApi({
        getDiff: () => Promise.reject(nothingInProduction),
      }),
    );

    expect(
      await screen.findByText('Nothing has been deployed to production yet'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'No deployment has succeeded in production, so there is no version there to compare with. Pick a version to compare instead.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Could not load the changes/)).toBeNull();
  });

  it('still reports a failure of the backend as an error', async () => {
    const providerDown = await responseError(502, 'Bad Gateway', {
      error: {
        name: 'ProviderCompareError',
        message: 'github could not compare 1a2b3c4...77d01e4: socket hang up',
      },
      response: { statusCode: 502 },
    });
    await renderWithFakes(
      <ChangeDiffView entityRef={ENTITY_REF} environments={ENVIRONMENTS} />,
      fakeDeploymentsApi({ getDiff: () => Promise.reject(providerDown) }),
    );

    expect(
      (
        await screen.findAllByText(
          /Could not load the changes: github could not compare 1a2b3c4\.\.\.77d01e4: socket hang up/,
        )
      ).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByText(/has been deployed/)).toBeNull();
  });
});
