import type { Entity } from '@backstage/catalog-model';
import {
  PUSH_SEAL_HEADER,
  PushDeploymentProvider,
  pushDeliveryKey,
} from './PushDeploymentProvider';
import { pushEventSchema } from './pushEventSchema';

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'Nightly-Reports', namespace: 'default', annotations },
    spec: {},
  };
}

const jenkins = new PushDeploymentProvider({
  id: 'jenkins',
  subject: 'jenkins-ci',
  environmentNames: { prod: 'production' },
});

const event = {
  entity: 'Nightly-Reports',
  deploymentId: '812',
  environment: 'prod',
  version: 'a'.repeat(40),
  state: 'in_progress',
};

describe('PushDeploymentProvider', () => {
  it('has a target for an entity whose annotation names the source among others, routed by the entity ref', async () => {
    expect(
      await jenkins.targetsOf(
        entity({ 'stagecraft.io/push-source': ' gitlab , jenkins' }),
      ),
    ).toEqual([
      {
        key: 'jenkins',
        routingKeys: ['component:default/nightly-reports'],
        environments: 'all',
        environmentNames: { prod: 'production' },
      },
    ]);
  });

  it('has no target where the annotation is missing or names other sources only', async () => {
    expect(await jenkins.targetsOf(entity({}))).toEqual([]);
    expect(
      await jenkins.targetsOf(
        entity({ 'stagecraft.io/push-source': 'jenkins-old,gitlab' }),
      ),
    ).toEqual([]);
  });

  it('has nothing to poll', async () => {
    expect(await (jenkins.sync as () => Promise<unknown>)()).toEqual({
      deployments: [],
      openGates: [],
    });
  });

  it('translates a sealed event into one deployment for the entity named', async () => {
    const rawBody = Buffer.from(JSON.stringify(event));
    const delivery = await jenkins.handleWebhook({
      headers: { [PUSH_SEAL_HEADER]: jenkins.seal(rawBody) },
      rawBody,
    });
    expect(delivery.deliveryKey).toBe('deployment:812:in_progress:');
    expect(delivery.events).toEqual([
      {
        routingKey: 'component:default/nightly-reports',
        deployments: [
          expect.objectContaining({
            providerDeploymentId: '812',
            environment: 'prod',
            version: { sha: 'a'.repeat(40) },
            statuses: [{ state: 'in_progress', at: expect.any(String) }],
          }),
        ],
      },
    ]);
  });

  it('refuses a body without its seal, with a forged one, or sealed by another source', async () => {
    const rawBody = Buffer.from(JSON.stringify(event));
    const gitlab = new PushDeploymentProvider({ id: 'gitlab', subject: 'g' });
    for (const headers of [
      {},
      { [PUSH_SEAL_HEADER]: 'f'.repeat(64) },
      { [PUSH_SEAL_HEADER]: gitlab.seal(rawBody) },
      { [PUSH_SEAL_HEADER]: [jenkins.seal(rawBody)] },
    ]) {
      await expect(jenkins.handleWebhook({ headers, rawBody })).rejects.toThrow(
        "Push source 'jenkins' takes events at POST /api/deployments/events",
      );
    }
    const altered = Buffer.from(JSON.stringify({ ...event, state: 'success' }));
    await expect(
      jenkins.handleWebhook({
        headers: { [PUSH_SEAL_HEADER]: jenkins.seal(rawBody) },
        rawBody: altered,
      }),
    ).rejects.toThrow(/takes events at POST/);
  });

  it('keys long events by a hash that fits the delivery store', () => {
    const key = pushDeliveryKey(
      pushEventSchema.parse({ ...event, deploymentId: 'x'.repeat(200) }),
    );
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(
      pushDeliveryKey(
        pushEventSchema.parse({ ...event, deploymentId: 'y'.repeat(200) }),
      ),
    ).not.toBe(key);
  });
});
