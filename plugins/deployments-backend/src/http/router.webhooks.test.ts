import { TEST_SIGNATURE_HEADER } from '@stagecraft/plugin-deployments-node/testing';
import request from 'supertest';
import { ENTITY_REF, startDeployments } from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

describe('deployments router', () => {
  describe('webhooks', () => {
    const body = JSON.stringify({
      deliveryId: 'delivery-1',
      targetKey: 'acme/payments-api',
      deployments: [
        {
          providerDeploymentId: 'hook-1',
          environment: 'dev',
          version: { sha: '4'.repeat(40) },
          statuses: [{ state: 'success', at: new Date().toISOString() }],
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        },
      ],
    });

    it('answers 401 to a bad signature and writes nothing', async () => {
      const { server, store } = await startDeployments();
      const response = await request(server)
        .post('/api/deployments/webhooks/test')
        .set('Content-Type', 'application/json')
        .set(TEST_SIGNATURE_HEADER, 'sha256=forged')
        .send(body);
      expect(response.status).toBe(401);
      expect(await store.findVersion(ENTITY_REF, '4'.repeat(40))).toBe(
        undefined,
      );
      expect(await store.recordWebhookDelivery('test', 'delivery-1')).toBe(
        true,
      );
    });

    it('applies a signed delivery once and drops its redelivery', async () => {
      const { server, store, provider } = await startDeployments();
      await store.setTargets(provider.id, [
        {
          entityRef: ENTITY_REF,
          provider: provider.id,
          target: {
            key: 'acme/payments-api',
            routingKeys: ['acme/payments-api'],
            environments: 'all',
          },
        },
      ]);
      const deliver = () =>
        request(server)
          .post('/api/deployments/webhooks/test')
          .set('Content-Type', 'application/json')
          .set(TEST_SIGNATURE_HEADER, provider.sign(body))
          .send(body);
      const first = await deliver();
      expect(first.status).toBe(202);
      expect(first.body.status).toBe('accepted');
      expect(await store.findVersion(ENTITY_REF, '4'.repeat(40))).toEqual(
        expect.objectContaining({ sha: '4'.repeat(40) }),
      );
      const again = await deliver();
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ status: 'duplicate' });
    });

    it('answers 404 for a provider that is not installed', async () => {
      const { server } = await startDeployments();
      const response = await request(server)
        .post('/api/deployments/webhooks/gitlab')
        .set('Content-Type', 'application/json')
        .send(body);
      expect(response.status).toBe(404);
    });
  });
});
