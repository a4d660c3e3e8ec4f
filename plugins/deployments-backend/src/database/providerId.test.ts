import { providerId, splitProviderId } from './providerId';

describe('provider ids', () => {
  it('joins a provider and its own id with a colon', () => {
    expect(providerId('github', '812')).toBe('github:812');
  });

  it('splits at the first colon only, so ARNs survive', () => {
    const arn = 'arn:aws:codepipeline:eu-west-1:123456789012:payments';
    expect(splitProviderId(providerId('aws', arn))).toEqual({
      provider: 'aws',
      providerId: arn,
    });
  });

  it('refuses an id without a provider part', () => {
    expect(splitProviderId('nonsense')).toBeUndefined();
    expect(splitProviderId(':812')).toBeUndefined();
  });

  it('keeps an empty provider-side id as empty', () => {
    expect(splitProviderId('github:')).toEqual({
      provider: 'github',
      providerId: '',
    });
  });
});
