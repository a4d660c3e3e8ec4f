import { isSameUser } from './useCurrentUser';

describe('isSameUser', () => {
  it('matches a full user entity ref', () => {
    expect(isSameUser('user:default/guest', 'user:default/guest')).toBe(true);
  });

  it('matches a provider login against the name of the entity ref', () => {
    expect(isSameUser('Alice', 'user:default/alice')).toBe(true);
  });

  it('does not match another person or an unknown one', () => {
    expect(isSameUser('bob', 'user:default/alice')).toBe(false);
    expect(isSameUser(undefined, 'user:default/alice')).toBe(false);
    expect(isSameUser('alice', undefined)).toBe(false);
  });
});
