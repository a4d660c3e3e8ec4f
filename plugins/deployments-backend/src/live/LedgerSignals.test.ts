import { mockServices } from '@backstage/backend-test-utils';
import type {
  SignalPayload,
  SignalsService,
} from '@backstage/plugin-signals-node';
import { LedgerSignals, ledgerChannel } from './LedgerSignals';

function recordingSignals() {
  const published: SignalPayload[] = [];
  const signals: SignalsService = {
    async publish(signal) {
      published.push(signal);
    },
  };
  return { signals, published };
}

describe('LedgerSignals', () => {
  it('publishes one signal per changed entity on its channel, naming every part that changed', async () => {
    const { signals, published } = recordingSignals();
    const live = new LedgerSignals({
      signals,
      logger: mockServices.logger.mock(),
    });
    const payments = 'component:default/payments-api';
    const worker = 'component:default/ledger-worker';

    // One sync of one target: deployments, then gates, then traffic.
    live.onLedgerChanged([payments], { part: 'deployments' });
    live.onLedgerChanged([payments], { part: 'gates' });
    live.onLedgerChanged([payments, worker], { part: 'traffic' });
    live.onLedgerChanged([payments], { part: 'deployments' });
    await live.settled();

    expect(published).toEqual([
      {
        recipients: { type: 'broadcast' },
        channel: 'deployments:component:default/payments-api',
        message: {
          entityRef: payments,
          parts: ['deployments', 'gates', 'traffic'],
        },
      },
      {
        recipients: { type: 'broadcast' },
        channel: ledgerChannel(worker),
        message: { entityRef: worker, parts: ['traffic'] },
      },
    ]);

    // A later change is a new signal.
    live.onLedgerChanged([worker], { part: 'audit' });
    await live.settled();
    expect(published).toHaveLength(3);
  });

  it('publishes without being waited for, within the coalescing window', async () => {
    const { signals, published } = recordingSignals();
    const live = new LedgerSignals({
      signals,
      logger: mockServices.logger.mock(),
      coalesceMs: 5,
    });
    live.onLedgerChanged(['component:default/a'], { part: 'gates' });
    expect(published).toEqual([]);
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(published.map(p => p.channel)).toEqual([
      'deployments:component:default/a',
    ]);
  });

  it('warns at most once a minute when publishing fails', async () => {
    const logger = mockServices.logger.mock();
    const live = new LedgerSignals({
      signals: {
        publish: async () => {
          throw new Error('events bus down');
        },
      },
      logger,
    });
    for (const name of ['a', 'b', 'c']) {
      live.onLedgerChanged([`component:default/${name}`], { part: 'audit' });
      await live.settled();
    }
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toContain('events bus down');
  });
});
