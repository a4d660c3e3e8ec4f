import { mockServices } from '@backstage/backend-test-utils';
import { scheduleDeploymentSync } from './scheduleDeploymentSync';

describe('scheduleDeploymentSync', () => {
  it('schedules a global sync every 2 minutes by default', async () => {
    const scheduler = mockServices.scheduler.mock();
    const sync = { syncAll: jest.fn(async () => ({ synced: 0, failed: 0 })) };
    await scheduleDeploymentSync({
      scheduler,
      config: mockServices.rootConfig({ data: {} }),
      sync,
    });

    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'deployments-sync',
        scope: 'global',
        frequency: { minutes: 2 },
        timeout: { minutes: 10 },
        initialDelay: { seconds: 5 },
      }),
    );
    const { fn } = scheduler.scheduleTask.mock.calls[0][0];
    const signal = new AbortController().signal;
    await fn(signal);
    expect(sync.syncAll).toHaveBeenCalledWith({ signal });
  });

  it('takes the schedule from config', async () => {
    const scheduler = mockServices.scheduler.mock();
    await scheduleDeploymentSync({
      scheduler,
      config: mockServices.rootConfig({
        data: {
          deployments: {
            schedule: { frequency: { minutes: 15 }, timeout: { minutes: 3 } },
          },
        },
      }),
      sync: { syncAll: jest.fn() },
    });
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        scope: 'global',
        frequency: { minutes: 15 },
        timeout: { minutes: 3 },
      }),
    );
  });
});
