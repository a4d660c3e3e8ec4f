import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { testBackendFeatures } from './features';
import { demoConfig } from './__testUtils__/demoConfig';

describe('the demo backend', () => {
  jest.setTimeout(180_000);

  it('boots with every plugin, answers health and serves the example catalog', async () => {
    const backend = await startTestBackend({
      features: [
        ...testBackendFeatures,
        mockServices.rootConfig.factory({
          data: demoConfig(),
        }),
      ],
    });

    try {
      const health = await request(backend.server).get(
        '/api/deployments/health',
      );
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok' });

      let names: string[] = [];
      for (let attempt = 0; attempt < 100 && names.length < 5; attempt++) {
        // As a service: the mocked auth of startTestBackend cannot make the
        // on-behalf-of user tokens the real permission backend expects.
        const response = await request(backend.server)
          .get('/api/catalog/entities/by-query?filter=kind=component')
          .set('Authorization', mockCredentials.service.header());
        expect(response.status).toBe(200);
        names = response.body.items.map((e: any) => e.metadata.name);
        if (names.length < 5) await new Promise(r => setTimeout(r, 200));
      }
      expect(names).toEqual(
        expect.arrayContaining([
          'payments-api',
          'ledger-worker',
          'storefront-web',
          'catalog-search',
          'checkout-bff',
        ]),
      );
    } finally {
      await backend.stop();
    }
  });
});
