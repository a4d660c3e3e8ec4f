import type { ProviderTarget } from '@stagecraft/plugin-deployments-node';
import {
  changeSourceOf,
  environmentOwners,
  parseEnvironmentOwners,
} from './ownership';

function target(
  key: string,
  environments: ProviderTarget['environments'],
  extra: Partial<ProviderTarget> = {},
): ProviderTarget {
  return { key, routingKeys: [key], environments, ...extra };
}

describe('environmentOwners', () => {
  it('gives every environment to the one provider that covers them all', () => {
    const ownerOf = environmentOwners({
      targets: [{ provider: 'github', target: target('acme/api', 'all') }],
    });
    expect(ownerOf('production')).toEqual({
      provider: 'github',
      target: target('acme/api', 'all'),
      declaredBy: 'provider',
    });
  });

  it('prefers the provider whose target names the environment over one that covers all', () => {
    const ownerOf = environmentOwners({
      targets: [
        { provider: 'github', target: target('acme/api', 'all') },
        { provider: 'aws', target: target('api-prod', ['production']) },
      ],
    });
    expect(ownerOf('dev')).toMatchObject({ provider: 'github' });
    expect(ownerOf('production')).toMatchObject({
      provider: 'aws',
      target: { key: 'api-prod' },
      declaredBy: 'provider',
    });
  });

  it('follows the stagecraft.io/environments annotation over what the targets say', () => {
    const ownerOf = environmentOwners({
      annotation: 'production=github',
      targets: [
        { provider: 'github', target: target('acme/api', 'all') },
        { provider: 'aws', target: target('api-prod', ['production']) },
      ],
    });
    expect(ownerOf('production')).toMatchObject({
      provider: 'github',
      declaredBy: 'annotation',
    });
  });

  it('never picks the first of two providers that both claim an environment', () => {
    const ownerOf = environmentOwners({
      targets: [
        { provider: 'github', target: target('acme/api', 'all') },
        { provider: 'gitlab', target: target('acme/api', 'all') },
      ],
    });
    const owner = ownerOf('staging');
    expect(owner.provider).toBeUndefined();
    expect(owner.problem).toBe(
      'github and gitlab all report staging; name its owner in stagecraft.io/environments (e.g. staging=github)',
    );
  });

  it('says when no provider reports an environment, or the annotated one has no target for it', () => {
    const ownerOf = environmentOwners({
      annotation: 'production=aws',
      targets: [{ provider: 'github', target: target('acme/api', ['dev']) }],
    });
    expect(ownerOf('staging').problem).toBe(
      'no deployment provider reports staging',
    );
    expect(ownerOf('production')).toEqual({
      provider: 'aws',
      declaredBy: 'annotation',
      problem:
        'stagecraft.io/environments names aws for production, but aws reports no target for it',
    });
  });
});

describe('parseEnvironmentOwners', () => {
  it('reads pairs and reports the malformed ones', () => {
    expect(
      parseEnvironmentOwners(' dev=github, production = aws ,oops'),
    ).toEqual({
      owners: new Map([
        ['dev', 'github'],
        ['production', 'aws'],
      ]),
      problems: [
        `'oops' in stagecraft.io/environments is not environment=provider`,
      ],
    });
  });
});

describe('changeSourceOf', () => {
  const git = {
    provider: 'github',
    target: target('acme/api', 'all', { changeSource: true }),
  };
  const aws = { provider: 'aws', target: target('api-prod', ['production']) };

  it('is the target marked as source control whose provider can compare', () => {
    expect(
      changeSourceOf({ targets: [aws, git], canCompare: () => true }).source,
    ).toBe(git);
    expect(
      changeSourceOf({ targets: [aws, git], canCompare: p => p !== 'github' })
        .problem,
    ).toBe(
      'no installed provider is the source control of this entity, so changes between versions cannot be listed',
    );
  });

  it('asks for the annotation when two providers are source control', () => {
    const gitlab = {
      provider: 'gitlab',
      target: target('acme/api', 'all', { changeSource: true }),
    };
    expect(
      changeSourceOf({ targets: [git, gitlab], canCompare: () => true })
        .problem,
    ).toBe(
      'github and gitlab are both source control of this entity; name one in stagecraft.io/change-source',
    );
    expect(
      changeSourceOf({
        targets: [git, gitlab],
        annotation: 'gitlab',
        canCompare: () => true,
      }).source,
    ).toBe(gitlab);
  });
});
