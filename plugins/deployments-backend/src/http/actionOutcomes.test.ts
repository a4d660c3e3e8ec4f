import type { ActionResponse } from '@stagecraft/plugin-deployments-common';
import type { ActionOutcome } from '../actions/outcomes';
import { statusOf, storedOutcome } from './actionOutcomes';

const response = {
  request: { id: 'r-1' },
  checks: [],
} as unknown as ActionResponse;

describe('action outcomes at the HTTP edge', () => {
  it.each<[ActionOutcome, number]>([
    [{ kind: 'executed', response }, 200],
    [{ kind: 'decided', response }, 200],
    [{ kind: 'held', response }, 202],
    [{ kind: 'forbidden', message: 'no', checks: [] }, 403],
    [{ kind: 'conflict', message: 'busy', checks: [] }, 409],
    [{ kind: 'refused', message: 'rule', checks: [] }, 422],
    [{ kind: 'provider-failed', message: 'down', checks: [] }, 502],
  ])('answers %o with %i', (outcome, status) => {
    expect(statusOf(outcome)).toBe(status);
  });

  it('replays a stored outcome as it was', () => {
    const outcome: ActionOutcome = {
      kind: 'conflict',
      message: 'busy',
      checks: [{ rule: 'one-at-a-time', passed: false, message: 'busy' }],
    };
    expect(storedOutcome(JSON.parse(JSON.stringify(outcome)))).toEqual(outcome);
  });

  it('replays a reply stored before outcomes existed with its status and message', () => {
    expect(storedOutcome({ statusCode: 202, response })).toEqual({
      kind: 'held',
      response,
    });
    expect(storedOutcome({ statusCode: 200, response }).kind).toBe('executed');
    const failed = storedOutcome({
      statusCode: 502,
      error: { name: 'ProviderActionError', message: 'test: down' },
      checks: [],
      promotionRequest: { id: 'r-1' },
    });
    expect(failed).toEqual({
      kind: 'provider-failed',
      message: 'test: down',
      checks: [],
      promotionRequest: { id: 'r-1' },
    });
    expect(
      statusOf(
        storedOutcome({
          statusCode: 403,
          error: { name: 'NotAllowedError', message: 'no' },
          checks: [],
        }),
      ),
    ).toBe(403);
    expect(
      statusOf(
        storedOutcome({
          statusCode: 422,
          error: { name: 'PolicyRefusedError', message: 'rule' },
          checks: [],
        }),
      ),
    ).toBe(422);
  });
});
