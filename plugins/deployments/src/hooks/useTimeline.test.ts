import type { TimelineResponse } from '@stagecraft/plugin-deployments-common';
import { ENTITY_REF } from '../__testUtils__/fixtures';
import { TimelinePrefetch } from './useTimeline';

const page: TimelineResponse = {
  entityRef: ENTITY_REF,
  environments: ['dev', 'staging', 'production'],
  rows: [],
};

describe('TimelinePrefetch', () => {
  it('starts the request at once and hands its page to the first load of that page', async () => {
    const load = jest.fn().mockResolvedValue(page);
    const prefetch = new TimelinePrefetch();

    prefetch.start(ENTITY_REF, { limit: 20 }, load);

    expect(load).toHaveBeenCalledWith({ limit: 20 });
    await expect(
      prefetch.take(ENTITY_REF, { limit: 20, cursor: undefined }),
    ).resolves.toBe(page);
  });

  it('hands the page out only once, so a reload asks the backend anew', () => {
    const prefetch = new TimelinePrefetch();
    prefetch.start(ENTITY_REF, { limit: 20 }, async () => page);

    expect(prefetch.take(ENTITY_REF, { limit: 20 })).toBeDefined();
    expect(prefetch.take(ENTITY_REF, { limit: 20 })).toBeUndefined();
  });

  it('gives nothing to a load of another page or entity, and drops the page', () => {
    const prefetch = new TimelinePrefetch();
    prefetch.start(ENTITY_REF, { limit: 20 }, async () => page);

    expect(
      prefetch.take(ENTITY_REF, { limit: 20, environment: ['staging'] }),
    ).toBeUndefined();
    expect(prefetch.take(ENTITY_REF, { limit: 20 })).toBeUndefined();

    prefetch.start(ENTITY_REF, { limit: 20 }, async () => page);
    expect(
      prefetch.take('component:default/ledger-worker', { limit: 20 }),
    ).toBeUndefined();
  });

  it('gives nothing once cleared', () => {
    const prefetch = new TimelinePrefetch();
    prefetch.start(ENTITY_REF, { limit: 20 }, async () => page);
    prefetch.clear();
    expect(prefetch.take(ENTITY_REF, { limit: 20 })).toBeUndefined();
  });

  it('lets a failed page that nobody takes go without an unhandled rejection', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const prefetch = new TimelinePrefetch();
      prefetch.start(ENTITY_REF, { limit: 20 }, () =>
        Promise.reject(new Error('backend unreachable')),
      );
      prefetch.clear();
      await new Promise(resolve => setTimeout(resolve, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
