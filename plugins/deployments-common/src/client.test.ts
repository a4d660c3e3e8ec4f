import { DeploymentsClient } from './client';

describe('DeploymentsClient', () => {
  function clientRecording() {
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    const client = new DeploymentsClient({
      discoveryApi: {
        getBaseUrl: async () => 'http://backstage.test/api/deployments',
      },
      fetchApi: {
        fetch: (async (url: string, init?: RequestInit) => {
          calls.push({ url, init });
          return new Response(
            JSON.stringify({ request: { id: 'r-1' }, checks: [] }),
            { status: 200, headers: { 'Content-Type': 'application/json' } },
          );
        }) as typeof fetch,
      },
    });
    return { client, calls };
  }

  it('aborts a rollout with a POST to …/abort carrying the body and the Idempotency-Key', async () => {
    const { client, calls } = clientRecording();
    const body = {
      environment: 'production',
      deploymentId: 'aws:d-7XKQ2',
      rollback: false,
      comment: 'alarm',
    };
    const response = await client.abort(
      'component:default/payments-api',
      body,
      {
        idempotencyKey: 'abort-key-1',
      },
    );
    expect(response.request.id).toBe('r-1');
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe(
      'http://backstage.test/api/deployments/entities/component/default/payments-api/abort',
    );
    expect(calls[0].init?.method).toBe('POST');
    expect(calls[0].init?.headers).toMatchObject({
      'Content-Type': 'application/json',
      'Idempotency-Key': 'abort-key-1',
    });
    expect(JSON.parse(String(calls[0].init?.body))).toEqual(body);
  });

  it('generates an Idempotency-Key when none is given', async () => {
    const { client, calls } = clientRecording();
    await client.abort('component:default/payments-api', {
      environment: 'production',
      deploymentId: 'test:9',
      comment: 'stop it',
    });
    const headers = calls[0].init?.headers as Record<string, string>;
    expect(headers['Idempotency-Key']).toMatch(/^sc-[0-9a-f-]{36}$/);
  });
});
