import { screen, within } from '@testing-library/react';
import type { RollbackInfo } from '@stagecraft/plugin-deployments-common';
import { aDeployment, minutesAgo } from '../../__testUtils__/fixtures';
import { lane, production, renderLane } from '../../__testUtils__/lanes';

const V1_80_1 = {
  sha: '55aa00000000000000000000000000000000000b',
  tag: 'v1.80.1',
};
const V1_41_2 = {
  sha: '77d01e4aaaabbbbccccddddeeeeffff000011112',
  tag: 'v1.41.2',
};

/** production, where v1.41.2 was the newest attempt and was rolled back as told. */
const afterRollbackOf = (rollback: RollbackInfo) =>
  production({
    latest: aDeployment({
      id: 'aws:d-XYZ789',
      provider: 'aws',
      providerDeploymentId: 'd-XYZ789',
      environment: 'production',
      version: V1_41_2,
      state: 'rolled_back',
      updatedAt: minutesAgo(30),
      rollback,
    }),
  });

const rollbackGroup = () => screen.queryByRole('group', { name: 'Rollback' });

describe('EnvironmentLane: a version that came back through a rollback', () => {
  it('says an automatic rollback brought back what runs now, with the reason', async () => {
    await renderLane(
      afterRollbackOf({
        automatic: true,
        reason: 'alarm payments-api-5xx in alarm at 14:02',
        restoredVersion: V1_80_1,
      }),
    );
    const group = within(lane().getByRole('group', { name: 'Rollback' }));
    expect(
      group.getByText('Running v1.80.1 after a rollback'),
    ).toBeInTheDocument();
    expect(
      group.getByText(
        'v1.41.2: rolled back automatically — alarm payments-api-5xx in alarm at 14:02 · v1.80.1 restored',
      ),
    ).toBeInTheDocument();
  });

  it('names who rolled back by hand, with their comment, where the backend says who', async () => {
    await renderLane(
      afterRollbackOf({
        automatic: false,
        reason: 'checkout errors',
        restoredVersion: V1_80_1,
        by: 'alice',
      }),
    );
    expect(
      lane().getByText(
        'v1.41.2: rolled back by alice: checkout errors · v1.80.1 restored',
      ),
    ).toBeInTheDocument();
  });

  it('says so when a roll back asked for in the portal redeployed the old version, naming the user', async () => {
    // GitHub: the roll back is a new deployment of v1.80.1, so it is both
    // current and latest; the backend names the attempt it replaced.
    const restoring = aDeployment({
      id: 'github:1400000500',
      environment: 'production',
      version: V1_80_1,
      state: 'success',
    });
    await renderLane(
      production({
        current: restoring,
        latest: restoring,
        rolledBack: aDeployment({
          id: 'github:1400000400',
          environment: 'production',
          version: V1_41_2,
          state: 'inactive',
          rollback: {
            automatic: false,
            by: 'user:default/alice',
            reason: 'checkout errors',
            restoredVersion: V1_80_1,
          },
        }),
      }),
    );
    const group = within(lane().getByRole('group', { name: 'Rollback' }));
    expect(
      group.getByText('Running v1.80.1 after a rollback'),
    ).toBeInTheDocument();
    expect(
      group.getByText(
        'v1.41.2: rolled back by alice: checkout errors · v1.80.1 restored',
      ),
    ).toBeInTheDocument();
  });

  it('says "by hand" for a manual rollback whose author is not known', async () => {
    await renderLane(
      afterRollbackOf({ automatic: false, restoredVersion: V1_80_1 }),
    );
    expect(
      lane().getByText('v1.41.2: rolled back by hand · v1.80.1 restored'),
    ).toBeInTheDocument();
  });

  it('matches the restoring deployment by its provider id when the provider names it', async () => {
    const environment = afterRollbackOf({
      automatic: true,
      rollbackDeploymentId: '1400000500',
    });
    await renderLane(environment);
    expect(rollbackGroup()).toBeInTheDocument();
  });

  it('keeps the rollback to the attempt’s own line when it restored another version than what runs now', async () => {
    await renderLane(
      afterRollbackOf({
        automatic: true,
        reason: 'alarm payments-5xx',
        restoredVersion: {
          sha: '0000000000000000000000000000000000000000',
          tag: 'v1.79.0',
        },
      }),
    );
    expect(rollbackGroup()).not.toBeInTheDocument();
    expect(
      lane().getByText(
        'Rolled back automatically — alarm payments-5xx · v1.79.0 restored',
      ),
    ).toBeInTheDocument();
  });

  it('stops saying so once a newer version succeeded', async () => {
    const newer = aDeployment({
      id: 'aws:d-NEW',
      environment: 'production',
      version: {
        sha: '9f3c2ab4d5e6f708192a3b4c5d6e7f8091a2b3c4',
        tag: 'v1.42.0',
      },
    });
    await renderLane(
      production({
        current: newer,
        latest: newer,
      }),
    );
    expect(rollbackGroup()).not.toBeInTheDocument();
    expect(lane().queryByText(/rolled back/i)).not.toBeInTheDocument();
  });
});
