import type { TimelineResponse } from '@stagecraft/plugin-deployments-common';
import { ENTITY_REF } from '../__testUtils__/fixtures';
import { TimelinePrefetch } from './useTimeline';

const page: TimelineResponse = {
  entityRef: ENTITY_REF,
  environments: ['dev', 'staging', 'production'],
  rows: [],
};

describe('TimelinePrefetch', () => {
  it('hands a page that already arrived to the first load of that page', async () => {
    const prefetch = new TimelinePrefetch();

    prefetch.put(ENTITY_REF, { limit: 20 }, page);

    await expect(
      prefetch.take(ENTITY_REF, { limit: 20, cursor: undefined }),
    ).resolves.toBe(page);
  });

  it('hands the page out only once, so a reload asks the backend anew', () => {
    const prefetch = new TimelinePrefetch();
    prefetch.put(ENTITY_REF, { limit: 20 }, page);

    expect(prefetch.take(ENTITY_REF, { limit: 20 })).toBeDefined();
    expect(prefetch.take(ENTITY_REF, { limit: 20 })).toBeUndefined();
  });

  it('gives nothing to a load of another page or entity, and drops the page', () => {
    const prefetch = new TimelinePrefetch();
    prefetch.put(ENTITY_REF, { limit: 20 }, page);

    expect(
      prefetch.take(ENTITY_REF, { limit: 20, environment: ['staging'] }),
    ).toBeUndefined();
    expect(prefetch.take(ENTITY_REF, { limit: 20 })).toBeUndefined();

    prefetch.put(ENTITY_REF, { limit: 20 }, page);
    expect(
      prefetch.take('component:default/ledger-worker', { limit: 20 }),
    ).toBeUndefined();
  });

  it('gives nothing once cleared', () => {
    const prefetch = new TimelinePrefetch();
    prefetch.put(ENTITY_REF, { limit: 20 }, page);
    prefetch.clear();
    expect(prefetch.take(ENTITY_REF, { limit: 20 })).toBeUndefined();
  });
});
