import { ConfigReader } from '@backstage/config';
import type { JsonValue } from '@backstage/types';
import { TestDeploymentProvider } from '@stagecraft/plugin-deployments-node/testing';
import type { DeploymentProvider } from '@stagecraft/plugin-deployments-node';
import { addPushProviders, readPushSources } from './pushSources';

function config(sources: JsonValue) {
  return new ConfigReader({ deployments: { push: { sources } } });
}

describe('push sources from config', () => {
  it('reads each source with its subject and environment names', () => {
    expect(
      readPushSources(
        config([
          {
            id: 'jenkins',
            subject: 'jenkins-ci',
            environmentNames: { prod: 'production' },
          },
          { id: 'argo-cd', subject: 'argocd-notifications' },
        ]),
      ),
    ).toEqual([
      {
        id: 'jenkins',
        subject: 'jenkins-ci',
        environmentNames: { prod: 'production' },
      },
      { id: 'argo-cd', subject: 'argocd-notifications' },
    ]);
  });

  it('has no sources without the key', () => {
    expect(readPushSources(new ConfigReader({}))).toEqual([]);
  });

  it.each([
    [
      [{ id: 'Jenkins CI', subject: 'x' }],
      "Invalid deployments.push.sources[0].id 'Jenkins CI'",
    ],
    [
      [{ id: 'stagecraft', subject: 'x' }],
      "(and not 'stagecraft', which is reserved)",
    ],
    [
      [{ id: 'jenkins', subject: 'a b' }],
      'Invalid deployments.push.sources[0].subject',
    ],
    [
      [
        { id: 'jenkins', subject: 'a' },
        { id: 'jenkins', subject: 'b' },
      ],
      "Duplicate push source id 'jenkins' at deployments.push.sources[1].id",
    ],
    [
      [
        { id: 'jenkins', subject: 'ci' },
        { id: 'gitlab', subject: 'ci' },
      ],
      "Push sources 'jenkins' and 'gitlab' share the subject 'ci'",
    ],
    [
      [{ id: 'jenkins' }],
      "Missing required config value at 'deployments.push.sources[0].subject'",
    ],
  ])('refuses %j at startup, naming the key', (sources, message) => {
    expect(() => readPushSources(config(sources))).toThrow(message);
  });

  it('adds a provider per source, and refuses an id an installed provider has', () => {
    const providers = new Map<string, DeploymentProvider>();
    const added = addPushProviders(
      config([{ id: 'jenkins', subject: 'jenkins-ci' }]),
      providers,
    );
    expect(added.map(p => p.id)).toEqual(['jenkins']);
    expect(providers.get('jenkins')).toBe(added[0]);

    const installed = new Map<string, DeploymentProvider>([
      ['test', new TestDeploymentProvider()],
    ]);
    expect(() =>
      addPushProviders(config([{ id: 'test', subject: 'ci' }]), installed),
    ).toThrow(
      "Push source 'test' (deployments.push.sources) has the id of an installed deployment provider",
    );
  });
});
