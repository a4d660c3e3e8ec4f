import { reviewersLabel } from './reviewers';

describe('reviewersLabel', () => {
  it('names people and teams by handle and provider identities as they are', () => {
    expect(
      reviewersLabel([
        { type: 'team', name: 'team-payments' },
        { type: 'user', name: 'alice' },
        {
          type: 'principal',
          name: 'arn:aws:iam::123456789012:role/release-approvers',
        },
      ]),
    ).toBe(
      '@team-payments, @alice, arn:aws:iam::123456789012:role/release-approvers',
    );
  });
});
