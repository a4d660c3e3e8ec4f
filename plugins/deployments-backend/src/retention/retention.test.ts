import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import {
  cutoffsAt,
  DEFAULT_RETENTION,
  readRetentionPolicy,
  RETENTION_TASK_ID,
  scheduleRetention,
} from './retention';

const now = new Date('2026-12-01T12:00:00.000Z');

describe('retention', () => {
  it('prunes only delivery records, idempotency keys, the diff cache and sent-notification keys by default', () => {
    const cutoffs = cutoffsAt(readRetentionPolicy(new ConfigReader({})), now);
    expect(cutoffs).toEqual({
      webhookDeliveries: new Date('2026-11-24T12:00:00.000Z'),
      idempotencyKeys: new Date('2026-11-30T12:00:00.000Z'),
      diffCache: new Date('2026-11-01T12:00:00.000Z'),
      sentNotifications: new Date('2026-11-01T12:00:00.000Z'),
    });
    expect(cutoffs.deployments).toBeUndefined();
    expect(cutoffs.auditLog).toBeUndefined();
  });

  it('prunes deployments and the audit log when configured', () => {
    const policy = readRetentionPolicy(
      new ConfigReader({
        deployments: {
          retention: { deployments: { days: 365 }, auditLog: { years: 7 } },
        },
      }),
    );
    expect(policy).toEqual({
      ...DEFAULT_RETENTION,
      deployments: { days: 365 },
      auditLog: { years: 7 },
    });
    expect(cutoffsAt(policy, now).deployments).toEqual(
      new Date('2025-12-01T12:00:00.000Z'),
    );
  });

  it('refuses a duration that is not positive, naming the key', () => {
    expect(() =>
      readRetentionPolicy(
        new ConfigReader({
          deployments: { retention: { diffCache: { days: 0 } } },
        }),
      ),
    ).toThrow(
      'deployments.retention.diffCache must be a positive duration such as { days: 30 }',
    );
  });

  it('schedules a global task that prunes with the cutoffs of the moment it runs', async () => {
    const scheduler = mockServices.scheduler.mock();
    const prune = jest.fn().mockResolvedValue({
      webhookDeliveries: 3,
      idempotencyKeys: 0,
      diffCache: 0,
      sentNotifications: 0,
      deployments: 0,
      auditLog: 0,
    });
    const logger = mockServices.logger.mock();
    await scheduleRetention({
      scheduler,
      config: new ConfigReader({}),
      store: { prune },
      logger,
    });
    const task = scheduler.scheduleTask.mock.calls[0][0];
    expect(task).toMatchObject({ id: RETENTION_TASK_ID, scope: 'global' });
    await task.fn(new AbortController().signal as any);
    expect(prune).toHaveBeenCalledWith(
      expect.objectContaining({ webhookDeliveries: expect.any(Date) }),
    );
    expect(logger.info).toHaveBeenCalledWith(
      'Deployments retention pruned 3 webhookDeliveries',
    );
  });
});
