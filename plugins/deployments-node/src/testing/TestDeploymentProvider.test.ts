import type { Entity } from '@backstage/catalog-model';
import type { ProviderDeployment } from '../provider';
import { runProviderConformanceTests } from './conformance';
import { TestDeploymentProvider } from './TestDeploymentProvider';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'svc',
    namespace: 'default',
    annotations: { 'stagecraft.io/test-target': 'repo-a' },
  },
  spec: {},
};

function deployment(n: number): ProviderDeployment {
  const at = new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString();
  return {
    providerDeploymentId: String(n),
    environment: 'dev',
    version: { sha: `${n}`.padStart(40, 'a') },
    statuses: [{ state: 'success', at }],
    createdAt: at,
    updatedAt: at,
  };
}

runProviderConformanceTests('TestDeploymentProvider', async () => {
  const provider = new TestDeploymentProvider();
  const snapshot = { deployments: [deployment(1)], openGates: [] as any[] };
  provider.snapshots.set('repo-a', snapshot);
  return {
    provider,
    entity,
    capabilities: [
      'compare',
      'resolveVersion',
      'promote',
      'review',
      'abort',
      'handleWebhook',
    ],
    async deploy() {
      snapshot.deployments.push(deployment(snapshot.deployments.length + 1));
    },
    async openGate() {
      snapshot.openGates.push({
        providerGateId: 'gate-1',
        environment: 'dev',
        version: { sha: 'a'.repeat(40) },
        reviewers: [],
        since: new Date().toISOString(),
      });
    },
    async closeGate() {
      snapshot.openGates.pop();
    },
    async webhook() {
      const rawBody = Buffer.from(
        JSON.stringify({ deliveryId: 'd-1', targetKey: 'repo-a' }),
      );
      return {
        valid: {
          headers: { 'x-test-signature': provider.sign(rawBody) },
          rawBody,
        },
        forged: { headers: { 'x-test-signature': 'sha256=00' }, rawBody },
      };
    },
  };
});

runProviderConformanceTests(
  'TestDeploymentProvider without optional capabilities',
  async () => {
    const provider = new TestDeploymentProvider({ capabilities: [] });
    const snapshot = { deployments: [deployment(1)], openGates: [] };
    provider.snapshots.set('repo-a', snapshot);
    return {
      provider,
      entity,
      capabilities: [],
      async deploy() {
        snapshot.deployments.push(deployment(snapshot.deployments.length + 1));
      },
    };
  },
);

describe('TestDeploymentProvider targets', () => {
  it('reads several targets with the environments each covers', async () => {
    const provider = new TestDeploymentProvider({ id: 'other' });
    const targets = await provider.targetsOf({
      ...entity,
      metadata: {
        ...entity.metadata,
        annotations: { 'stagecraft.io/other-target': 'a@dev|staging, b' },
      },
    });
    expect(targets.map(t => [t.key, t.environments])).toEqual([
      ['a', ['dev', 'staging']],
      ['b', 'all'],
    ]);
  });
});
