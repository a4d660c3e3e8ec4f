import { startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import { deploymentsPlugin } from './plugin';

describe('deploymentsPlugin', () => {
  it('answers health checks without authentication', async () => {
    const { server } = await startTestBackend({
      features: [deploymentsPlugin],
    });
    const response = await request(server).get('/api/deployments/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });
});
