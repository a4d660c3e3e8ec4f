import type { EnvironmentsResponse } from '@stagecraft/plugin-deployments-common';
import { fakeDeploymentsApi, threeLanes } from '../__testUtils__/fixtures';
import {
  releaseTabOpening,
  startTabOpening,
  takeTabOpening,
} from './tabOpening';

const REF = 'component:default/payments-api';

const LANES = threeLanes();

function apiCounting() {
  const getEnvironments = jest.fn(
    async (): Promise<EnvironmentsResponse> => LANES,
  );
  return { api: fakeDeploymentsApi({ getEnvironments }), getEnvironments };
}

afterEach(() => jest.useRealTimers());

describe('the tab opening request', () => {
  it('is sent once however often renders thrown away before a commit start it', async () => {
    const { api, getEnvironments } = apiCounting();
    startTabOpening(api, REF);
    startTabOpening(api, REF);
    startTabOpening(api, REF);

    expect(getEnvironments).toHaveBeenCalledTimes(1);
    const first = takeTabOpening(api, REF, 20);
    expect(first).toBeDefined();
    expect(takeTabOpening(api, REF, 20)).toBe(first);
    await expect(first).resolves.toBe(LANES);
  });

  it('is asked anew once the tab has mounted with it, for another page size, or when it is old', () => {
    jest.useFakeTimers({ now: new Date('2026-12-02T08:00:00Z') });
    const { api, getEnvironments } = apiCounting();
    startTabOpening(api, REF);
    expect(takeTabOpening(api, REF, 50)).toBeUndefined();

    releaseTabOpening(api, REF);
    expect(takeTabOpening(api, REF, 20)).toBeUndefined();

    startTabOpening(api, REF);
    expect(getEnvironments).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(6_000);
    expect(takeTabOpening(api, REF, 20)).toBeUndefined();
    startTabOpening(api, REF);
    expect(getEnvironments).toHaveBeenCalledTimes(3);
  });

  it('is kept apart per API instance', () => {
    const one = apiCounting();
    const other = apiCounting();
    startTabOpening(one.api, REF);
    expect(takeTabOpening(other.api, REF, 20)).toBeUndefined();
  });
});
