import { responseError } from '../../__testUtils__/responseErrors';
import { environmentWithoutSuccess } from './diffErrors';

function backendError(status: number, name: string, message: string) {
  return responseError(status, 'Error', {
    error: { name, message },
    response: { statusCode: status },
  });
}

describe('environmentWithoutSuccess', () => {
  it('names the environment of the backend’s “nothing has succeeded” refusal', async () => {
    const error = await backendError(
      400,
      'InputError',
      "to 'staging': nothing has succeeded in staging yet",
    );
    expect(environmentWithoutSuccess(error)).toBe('staging');
  });

  it('ignores other refusals of the backend', async () => {
    const error = await backendError(
      400,
      'InputError',
      "from 'qa' is neither an environment on the path (dev, staging, production) nor a known version of component:default/payments-api",
    );
    expect(environmentWithoutSuccess(error)).toBeUndefined();
  });

  it('ignores server errors, whatever they say', async () => {
    const error = await backendError(
      502,
      'ProviderCompareError',
      'github could not compare: nothing has succeeded in production yet',
    );
    expect(environmentWithoutSuccess(error)).toBeUndefined();
  });

  it('ignores errors that did not come from the backend', () => {
    expect(
      environmentWithoutSuccess(
        new Error("from 'production': nothing has succeeded in production yet"),
      ),
    ).toBeUndefined();
    expect(environmentWithoutSuccess(undefined)).toBeUndefined();
  });
});
