import { inspect } from 'node:util';
import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import request from 'supertest';
import {
  ALICE,
  BOB,
  ENTITY_REF,
  BASE,
  S2,
  TAGS,
  daysAgo,
  denyOnly,
  startDeployments,
  as,
  idempotencyKey,
} from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

describe('deployments router', () => {
  describe('provider gates', () => {
    async function withProviderGate(
      options: Parameters<typeof startDeployments>[0] = {},
    ) {
      const started = await startDeployments(options);
      await started.store.openGates(
        ENTITY_REF,
        started.provider.id,
        'acme/payments-api',
        [
          {
            providerGateId: 'run-77:production',
            environment: 'production',
            version: { sha: S2, tag: TAGS[S2] },
            reviewers: [{ type: 'team', name: 'team-payments' }],
            since: daysAgo(0.1),
            requestedBy: 'alice',
            details: { runId: '77' },
          },
        ],
      );
      return { ...started, gateId: `${started.provider.id}:run-77:production` };
    }

    it('acts on the provider gate with the user token, and never records the token', async () => {
      const { server, provider, store, gateId } = await withProviderGate();
      const lanes = await request(server)
        .get(`${BASE}/environments`)
        .set(as(BOB));
      expect(lanes.body.environments[2].pendingGates).toEqual([
        expect.objectContaining({ id: gateId, kind: 'provider' }),
      ]);
      expect(
        lanes.body.environments[2].pendingGates[0].details,
      ).toBeUndefined();

      const response = await request(server)
        .post(`${BASE}/approve`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .set('X-Deployments-Provider-Token', 'ghu_secret-token-value')
        .send({ gateId, comment: 'canary is healthy' });
      expect(response.status).toBe(200);
      expect(provider.reviewCalls).toHaveLength(1);
      expect(provider.reviewCalls[0]).toMatchObject({
        decision: 'approve',
        comment: 'canary is healthy',
        actor: BOB,
        userToken: 'ghu_secret-token-value',
      });
      const audit = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(audit.entries[0]).toMatchObject({
        action: 'approve',
        outcome: 'approved',
        providerIdentity: 'user-token:bob',
      });
      expect(JSON.stringify(audit)).not.toContain('ghu_secret');
      expect(JSON.stringify(response.body)).not.toContain('ghu_secret');
      expect(await store.listOpenGates(ENTITY_REF)).toEqual([]);
    });

    it('scrubs the user token from a provider error in the response, the audit log, stored replies, logs and audit events', async () => {
      const recorded: string[] = [];
      const record = (...args: unknown[]) => {
        recorded.push(inspect(args, { depth: 8 }));
      };
      const logger: LoggerService = {
        error: record,
        warn: record,
        info: record,
        debug: record,
        child: () => logger,
      };
      const { server, provider, store, knex, gateId } = await withProviderGate({
        services: [
          createServiceFactory({
            service: coreServices.logger,
            deps: {},
            factory: () => logger,
          }),
          createServiceFactory({
            service: coreServices.auditor,
            deps: {},
            factory: () => ({
              async createEvent(options) {
                record('audit event', options.meta);
                return {
                  success: async p => record(p),
                  fail: async p => record(p),
                };
              },
            }),
          }),
        ],
      });
      const token = 'ghu_secret-token-value';
      provider.failures.review = new Error(
        `Bad credentials: token ${token} was revoked`,
      );
      const response = await request(server)
        .post(`${BASE}/approve`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .set('X-Deployments-Provider-Token', token)
        .send({ gateId, comment: 'canary is healthy' });

      expect(response.status).toBe(502);
      expect(response.body.error.message).toBe(
        'test: Bad credentials: token *** was revoked',
      );
      const audit = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(audit.entries[0]).toMatchObject({
        outcome: 'failed',
        detail: 'test: Bad credentials: token *** was revoked',
      });
      expect(recorded.join('\n')).toContain('token *** was revoked');
      const everything = JSON.stringify([
        response.body,
        response.headers,
        await knex('audit_log').select(),
        await knex('idempotency_keys').select(),
        await knex('promotion_requests').select(),
        recorded,
      ]);
      expect(everything).not.toContain('ghu_secret');
    });

    it('refuses the requester approving their own provider gate', async () => {
      const { server, provider, gateId } = await withProviderGate();
      const response = await request(server)
        .post(`${BASE}/approve`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ gateId, comment: 'lgtm' });
      expect(response.status).toBe(422);
      expect(response.body.error.message).toContain('no-self-approval');
      expect(provider.reviewCalls).toHaveLength(0);
    });

    it('lets the provider gate be the approval of a gated environment', async () => {
      const { server, provider } = await withProviderGate();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production' });
      expect(response.status).toBe(200);
      expect(response.body.checks).toContainEqual(
        expect.objectContaining({
          rule: 'approval-required',
          message: expect.stringContaining('gated by its provider'),
        }),
      );
      expect(provider.promoteCalls).toHaveLength(1);
    });

    it('lists the gates the caller may decide across entities', async () => {
      const { server, gateId } = await withProviderGate();
      const pending = await request(server)
        .post(`${BASE}/promote`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging', comment: 'for carol' });
      expect(pending.status).toBe(200);

      const forBob = await request(server)
        .get('/api/deployments/approvals')
        .set(as(BOB));
      expect(forBob.status).toBe(200);
      expect(forBob.body.gates.map((g: any) => g.id)).toEqual([gateId]);

      // alice asked for the gated deployment herself.
      const forAlice = await request(server)
        .get('/api/deployments/approvals')
        .set(as(ALICE));
      expect(forAlice.body.gates).toEqual([]);
    });

    it('lists nothing to a caller without deployments.approve', async () => {
      const started = await startDeployments({
        permissions: denyOnly('deployments.approve'),
      });
      await started.store.openGates(
        ENTITY_REF,
        started.provider.id,
        'acme/payments-api',
        [
          {
            providerGateId: 'run-78:production',
            environment: 'production',
            version: { sha: S2 },
            reviewers: [],
            since: daysAgo(0.1),
          },
        ],
      );
      const response = await request(started.server)
        .get('/api/deployments/approvals')
        .set(as(BOB));
      expect(response.status).toBe(200);
      expect(response.body.gates).toEqual([]);
    });
  });
});
