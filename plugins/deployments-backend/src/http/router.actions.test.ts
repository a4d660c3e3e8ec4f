import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import {
  ALICE,
  BOB,
  ENTITY_REF,
  BASE,
  S1,
  S2,
  S3,
  denyOnly,
  deployment,
  startDeployments,
  as,
  idempotencyKey,
} from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

describe('deployments router', () => {
  describe('actions', () => {
    it('requires an Idempotency-Key header', async () => {
      const { server, provider } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .send({ environment: 'staging' });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain('Idempotency-Key');
      expect(provider.promoteCalls).toHaveLength(0);
    });

    it('promotes the previous environment’s version at once where no approval is needed', async () => {
      const { server, provider, store } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging', comment: 'ship it' });
      expect(response.status).toBe(200);
      expect(response.body.request).toMatchObject({
        state: 'executed',
        environment: 'staging',
        version: { sha: S3 },
        requestedBy: ALICE,
        providerReference: 'run-1',
      });
      expect(provider.promoteCalls).toHaveLength(1);
      expect(provider.promoteCalls[0]).toMatchObject({
        environment: 'staging',
        kind: 'promote',
        requestedBy: ALICE,
      });
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries).toEqual([
        expect.objectContaining({
          action: 'promote',
          outcome: 'executed',
          actor: ALICE,
          providerIdentity: 'test-app',
          environment: 'staging',
          comment: 'ship it',
        }),
      ]);
    });

    it('holds a promotion into production until another person approves it', async () => {
      const { server, provider, store } = await startDeployments();
      const promoted = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production', comment: 'release 1.1' });
      expect(promoted.status).toBe(202);
      expect(promoted.body.request).toMatchObject({
        state: 'pending',
        version: { sha: S2 },
      });
      expect(provider.promoteCalls).toHaveLength(0);
      const gateId = `stagecraft:${promoted.body.request.id}`;

      const lanes = await request(server)
        .get(`${BASE}/environments`)
        .set(as(ALICE));
      expect(lanes.body.environments[2].pendingGates).toEqual([
        expect.objectContaining({ id: gateId, kind: 'portal' }),
      ]);

      const selfApproval = await request(server)
        .post(`${BASE}/approve`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ gateId, comment: 'me, myself' });
      expect(selfApproval.status).toBe(422);
      expect(selfApproval.body.checks).toContainEqual(
        expect.objectContaining({ rule: 'no-self-approval', passed: false }),
      );

      const noComment = await request(server)
        .post(`${BASE}/approve`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .send({ gateId, comment: '  ' });
      expect(noComment.status).toBe(422);
      expect(noComment.body.error.message).toContain('comment-required');
      expect(provider.promoteCalls).toHaveLength(0);

      const approved = await request(server)
        .post(`${BASE}/approve`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .send({ gateId, comment: 'verified in staging' });
      expect(approved.status).toBe(200);
      expect(approved.body.request).toMatchObject({
        state: 'executed',
        decidedBy: BOB,
        decisionComment: 'verified in staging',
      });
      expect(provider.promoteCalls).toHaveLength(1);
      expect(provider.promoteCalls[0]).toMatchObject({
        environment: 'production',
        version: { sha: S2 },
        requestedBy: ALICE,
      });

      const again = await request(server)
        .post(`${BASE}/approve`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .send({ gateId, comment: 'twice?' });
      expect(again.status).toBe(409);
      expect(again.body.checks).toContainEqual(
        expect.objectContaining({ rule: 'decided-once', passed: false }),
      );
      expect(provider.promoteCalls).toHaveLength(1);

      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(
        entries.map(e => `${e.action}:${e.outcome}:${e.actor}`).reverse(),
      ).toEqual([
        `promote:requested:${ALICE}`,
        `approve:refused:${ALICE}`,
        `approve:refused:${BOB}`,
        `approve:approved:${BOB}`,
        `promote:executed:${BOB}`,
        `approve:refused:${BOB}`,
      ]);
      expect(entries[0].detail).toMatch(
        /^decided-once: gateId 'stagecraft:.*' was already decided: the request is executed \(by user:default\/bob\)$/,
      );
    });

    it('rejects a pending promotion with a comment and never runs it', async () => {
      const { server, provider, store } = await startDeployments();
      const promoted = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production' });
      const rejected = await request(server)
        .post(`${BASE}/reject`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .send({
          gateId: `stagecraft:${promoted.body.request.id}`,
          comment: 'freeze week',
        });
      expect(rejected.status).toBe(200);
      expect(rejected.body.request.state).toBe('rejected');
      expect(provider.promoteCalls).toHaveLength(0);
      expect(await store.listPendingRequests(ENTITY_REF)).toEqual([]);
    });

    it('refuses a version that has not succeeded in the previous environment, writing only the refusal', async () => {
      const { server, provider, store } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production', version: 'v1.2.0' });
      expect(response.status).toBe(422);
      expect(response.body.error.name).toBe('PolicyRefusedError');
      expect(response.body.checks).toContainEqual({
        rule: 'promotion-order',
        passed: false,
        message:
          'v1.2.0 (3333333) must succeed in staging before it enters production',
      });
      expect(provider.promoteCalls).toHaveLength(0);
      expect(await store.listPendingRequests(ENTITY_REF)).toEqual([]);
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries).toEqual([
        expect.objectContaining({
          outcome: 'refused',
          detail: expect.stringContaining('promotion-order'),
        }),
      ]);
    });

    it('lets a holder of deployments.override skip the promotion order with an audited reason', async () => {
      const { server, store } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({
          environment: 'production',
          version: S3,
          overrideReason: 'incident 42 hotfix',
        });
      expect(response.status).toBe(202);
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries[0]).toMatchObject({
        outcome: 'requested',
        detail: 'promotion order overridden: incident 42 hotfix',
      });
    });

    it('refuses an override from someone without deployments.override', async () => {
      const { server } = await startDeployments({
        permissions: denyOnly('deployments.override'),
      });
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({
          environment: 'production',
          version: S3,
          overrideReason: 'trust me',
        });
      expect(response.status).toBe(422);
      expect(response.body.error.message).toContain('deployments.override');
    });

    it('refuses to promote what already runs there', async () => {
      const { server } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging', version: 'v1.1.0' });
      expect(response.status).toBe(422);
      expect(response.body.checks).toContainEqual(
        expect.objectContaining({ rule: 'nothing-to-promote', passed: false }),
      );
    });

    it('answers 403 when the permission is denied, and audits the refusal', async () => {
      const { server, provider, store } = await startDeployments({
        permissions: mockServices.permissions.factory({
          result: AuthorizeResult.DENY,
        }) as any,
      });
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging' });
      expect(response.status).toBe(403);
      expect(response.body.error.message).toBe(
        `deployments.promote is not allowed on ${ENTITY_REF}`,
      );
      expect(provider.promoteCalls).toHaveLength(0);
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries.map(e => e.outcome)).toEqual(['refused']);
    });

    it('refuses actions from service principals', async () => {
      const { server } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set('Authorization', mockCredentials.service.header())
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging' });
      expect(response.status).toBe(403);
    });

    it('rolls an environment back to its previous successful version', async () => {
      const { server, provider } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/rollback`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging', comment: 'v1.1.0 leaks memory' });
      expect(response.status).toBe(200);
      expect(response.body.request).toMatchObject({
        action: 'rollback',
        version: { sha: S1 },
        state: 'executed',
      });
      expect(provider.promoteCalls[0]).toMatchObject({
        kind: 'rollback',
        version: { sha: S1 },
      });
    });

    it('says on the rolled-back deployment who rolled it back and why, and on the lane once the old version runs again', async () => {
      const { server, store, provider } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/rollback`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging', comment: 'v1.1.0 leaks memory' });
      expect(response.status).toBe(200);

      const expected = {
        automatic: false,
        by: ALICE,
        reason: 'v1.1.0 leaks memory',
        restoredVersion: expect.objectContaining({ sha: S1 }),
      };
      const timeline = await request(server)
        .get(`${BASE}/timeline?environment=staging`)
        .set(as(ALICE));
      const rolledBack = timeline.body.rows.find(
        (row: any) => row.version.sha === S2,
      );
      expect(rolledBack.cells.staging.rollback).toEqual(expected);

      // The provider's redeploy of v1 lands: staging runs v1 after the roll back.
      await store.upsertDeployments(ENTITY_REF, provider.id, [
        deployment('staging', S1, 0),
      ]);
      const lanes = await request(server)
        .get(`${BASE}/environments`)
        .set(as(ALICE));
      const staging = lanes.body.environments.find(
        (lane: any) => lane.name === 'staging',
      );
      expect(staging.current.version.sha).toBe(S1);
      expect(staging.rolledBack).toMatchObject({
        version: expect.objectContaining({ sha: S2 }),
        rollback: expected,
      });
    });

    it('answers 502 and writes nothing when the provider fails to resolve the version', async () => {
      const { server, provider, store } = await startDeployments();
      provider.failures.resolve = new Error('connect ECONNRESET');
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'dev', version: 'v2.0.0' });
      expect(response.status).toBe(502);
      expect(response.body.error.message).toContain("resolve 'v2.0.0'");
      expect(provider.promoteCalls).toHaveLength(0);
      expect(
        (await store.listAudit(ENTITY_REF, {}, { limit: 10 })).entries,
      ).toEqual([]);
    });

    it('records a provider failure and answers 502 with the failed request', async () => {
      const { server, provider, store } = await startDeployments();
      provider.failures.promote = new Error('workflow deploy.yml not found');
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging' });
      expect(response.status).toBe(502);
      expect(response.body.error.message).toContain(
        'workflow deploy.yml not found',
      );
      expect(response.body.promotionRequest.state).toBe('failed');
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries.map(e => e.outcome)).toEqual(['failed']);
      // The failed request no longer blocks the environment.
      provider.failures.promote = undefined;
      const retry = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging' });
      expect(retry.status).toBe(200);
    });
  });
});
