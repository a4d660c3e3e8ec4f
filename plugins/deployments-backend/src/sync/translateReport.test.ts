import type { ProviderTarget } from '@stagecraft/plugin-deployments-node';
import { environmentOwners } from '../environments/ownership';
import { ledgerVersion, translateReport } from './translateReport';

const SHA = 'a'.repeat(40);
const at = '2026-11-20T08:00:00.000Z';

function target(extra: Partial<ProviderTarget> = {}): ProviderTarget {
  return {
    key: 'acme/api',
    routingKeys: ['acme/api'],
    environments: 'all',
    ...extra,
  };
}

function deployment(
  id: string,
  environment: string,
  version: object = { sha: SHA },
) {
  return {
    providerDeploymentId: id,
    environment,
    version,
    statuses: [{ state: 'success' as const, at }],
    createdAt: at,
    updatedAt: at,
  };
}

describe('ledgerVersion', () => {
  it('keys a version by its commit, else by its artifact with the commit marked unknown', () => {
    expect(ledgerVersion({ sha: SHA, tag: 'v1' })).toEqual({
      sha: SHA,
      tag: 'v1',
    });
    expect(
      ledgerVersion({ artifact: { kind: 'lambda-version', id: '12' } }),
    ).toEqual({
      sha: 'artifact:lambda-version:12',
      artifact: { kind: 'lambda-version', id: '12' },
      commitUnknown: true,
    });
    expect(ledgerVersion({ tag: 'v1' })).toBeUndefined();
  });
});

describe('translateReport', () => {
  it("maps provider environment names to the entity's and drops what the target does not cover", () => {
    const mapped = target({
      environments: ['production', 'dev'],
      environmentNames: { 'worker-prod': 'production' },
    });
    const result = translateReport({
      provider: 'github',
      target: mapped,
      ownerOf: environmentOwners({
        targets: [{ provider: 'github', target: mapped }],
      }),
      report: {
        deployments: [
          deployment('1', 'worker-prod'),
          deployment('2', 'api-prod'),
          deployment('3', 'dev'),
        ],
        gates: [
          {
            providerGateId: 'g1',
            environment: 'worker-prod',
            version: { sha: SHA },
            reviewers: [],
            since: at,
          },
        ],
        environments: [
          {
            name: 'worker-prod',
            requiredReviewers: [{ type: 'team', name: 'sre' }],
          },
        ],
      },
    });
    expect(
      result.deployments.map(d => [d.providerDeploymentId, d.environment]),
    ).toEqual([
      ['1', 'production'],
      ['3', 'dev'],
    ]);
    expect(result.gates.map(g => g.environment)).toEqual(['production']);
    expect(result.protection).toEqual([
      {
        environment: 'production',
        requiredReviewers: [{ type: 'team', name: 'sre' }],
      },
    ]);
    expect(result.skipped).toEqual([
      'deployment 2: environment api-prod is not one that target acme/api covers',
    ]);
  });

  it('turns a rollout in an environment another provider owns into a link, not a row', () => {
    const git = target({ changeSource: true });
    const stack = {
      key: 'api-prod',
      routingKeys: ['api-prod'],
      environments: ['production'],
    };
    const ownerOf = environmentOwners({
      targets: [
        { provider: 'github', target: git },
        { provider: 'aws', target: stack },
      ],
    });
    const fromGithub = translateReport({
      provider: 'github',
      target: git,
      ownerOf,
      report: {
        deployments: [
          {
            ...deployment('77', 'production'),
            url: 'https://github.com/acme/api/actions/runs/812',
            urlLabel: 'run #812',
          },
          deployment('78', 'dev'),
        ],
      },
    });
    expect(fromGithub.deployments.map(d => d.providerDeploymentId)).toEqual([
      '78',
    ]);
    expect(fromGithub.links).toEqual([
      {
        environment: 'production',
        sha: SHA,
        provider: 'github',
        providerDeploymentId: '77',
        url: 'https://github.com/acme/api/actions/runs/812',
        label: 'run #812',
        version: { sha: SHA },
        seenAt: at,
      },
    ]);
    const fromAws = translateReport({
      provider: 'aws',
      target: stack,
      ownerOf,
      report: {
        deployments: [
          deployment('d-1', 'production', {
            artifact: { kind: 'lambda-version', id: '7' },
          }),
        ],
        traffic: [
          {
            environment: 'production',
            at,
            shares: [
              { version: { sha: SHA }, percent: 90, role: 'live' },
              {
                version: { artifact: { kind: 'lambda-version', id: '7' } },
                percent: 10,
                role: 'canary',
                providerDeploymentId: 'd-1',
              },
            ],
          },
        ],
      },
    });
    expect(fromAws.deployments[0].version).toMatchObject({
      commitUnknown: true,
    });
    expect(fromAws.traffic).toEqual([
      {
        environment: 'production',
        provider: 'aws',
        at,
        shares: [
          { version: { sha: SHA }, percent: 90, role: 'live' },
          {
            version: {
              sha: 'artifact:lambda-version:7',
              artifact: { kind: 'lambda-version', id: '7' },
              commitUnknown: true,
            },
            percent: 10,
            role: 'canary',
            deploymentId: 'aws:d-1',
          },
        ],
      },
    ]);
  });
  it("maps a provider's deployment windows to the entity's environments, leaving out those it does not cover", () => {
    const window = {
      kind: 'allow' as const,
      cron: '* * 9-16 ? * MON-FRI',
      timeZone: 'Europe/Berlin',
      label: 'CodePipeline',
    };
    const result = translateReport({
      provider: 'aws',
      target: target({
        environments: ['production'],
        environmentNames: { 'Deploy-Prod': 'production' },
      }),
      ownerOf: environmentOwners({ targets: [] }),
      report: {
        environments: [
          {
            name: 'Deploy-Prod',
            requiredReviewers: [],
            deploymentWindows: [{ ...window, id: 'Deploy-Prod/ProdWindow' }],
          },
          {
            name: 'Deploy-Dev',
            requiredReviewers: [],
            deploymentWindows: [{ ...window, id: 'Deploy-Dev/Window' }],
          },
        ],
      },
    });
    expect(result.windows).toEqual([
      { ...window, id: 'Deploy-Prod/ProdWindow', environment: 'production' },
    ]);
  });
});
