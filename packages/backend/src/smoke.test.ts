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

      // The catalog ingests the example entities over a few moments (there
      // are more than these): wait until all of these are in.
      const expected = [
        'payments-api',
        'ledger-worker',
        'storefront-web',
        'catalog-search',
        'checkout-bff',
      ];
      const allIn = (names: string[]) =>
        expected.every(name => names.includes(name));
      let names: string[] = [];
      for (let attempt = 0; attempt < 100 && !allIn(names); attempt++) {
        // As a service: the mocked auth of startTestBackend cannot make the
        // on-behalf-of user tokens the real permission backend expects.
        const response = await request(backend.server)
          .get('/api/catalog/entities/by-query?filter=kind=component')
          .set('Authorization', mockCredentials.service.header());
        expect(response.status).toBe(200);
        names = response.body.items.map((e: any) => e.metadata.name);
        if (!allIn(names)) await new Promise(r => setTimeout(r, 200));
      }
      expect(names).toEqual(expect.arrayContaining(expected));
    } finally {
      await backend.stop();
    }
  });
});
