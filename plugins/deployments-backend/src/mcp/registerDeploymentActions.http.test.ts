import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  ALICE,
  ENTITY_REF,
  as,
  idempotencyKey,
  startDeployments,
} from '../http/__testUtils__/routerTestKit';

jest.setTimeout(60_000);

const ACTIONS = '/api/deployments/.backstage/actions/v1/actions';

describe('deployments actions behind the default actions registry', () => {
  it('are listed and invoked over the registry’s HTTP API, which the MCP actions backend calls', async () => {
    const { server, provider } = await startDeployments();
    const listed = await request(server).get(ACTIONS).set(as(ALICE));
    expect(listed.status).toBe(200);
    expect(listed.body.actions.map((a: any) => a.id).sort()).toEqual([
      'deployments:approve',
      'deployments:get-change-diff',
      'deployments:get-timeline',
      'deployments:list-environments',
      'deployments:list-pending-approvals',
      'deployments:promote',
      'deployments:reject',
      'deployments:rollback',
    ]);

    // As the actions service forwards a call: a plugin token on behalf of the user.
    const invoked = await request(server)
      .post(`${ACTIONS}/deployments:promote/invoke`)
      .set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.user(ALICE),
          targetPluginId: 'deployments',
        }),
      )
      .send({
        entityRef: ENTITY_REF,
        environment: 'staging',
        idempotencyKey: idempotencyKey(),
      });
    expect(invoked.status).toBe(200);
    expect(invoked.body.output).toMatchObject({
      done: true,
      outcome: 'executed',
      request: { requestedBy: ALICE, environment: 'staging' },
    });
    expect(provider.promoteCalls).toHaveLength(1);

    // A static external access token is a service principal, not a person.
    const service = await request(server)
      .post(`${ACTIONS}/deployments:promote/invoke`)
      .set('Authorization', mockCredentials.service.header())
      .send({
        entityRef: ENTITY_REF,
        environment: 'staging',
        idempotencyKey: idempotencyKey(),
      });
    expect(service.status).toBe(403);
    expect(service.body.error.name).toBe('NotAllowedError');
    expect(provider.promoteCalls).toHaveLength(1);
  });
});
