import { TestDeploymentProvider } from '@stagecraft/plugin-deployments-node/testing';
import request from 'supertest';
import {
  databases,
  ALICE,
  BOB,
  ENTITY_REF,
  BASE,
  S3,
  startDeployments,
  as,
  idempotencyKey,
} from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

describe.each(databases.eachSupportedId())(
  'deployments router on %p',
  databaseId => {
    it('runs an action once for the same Idempotency-Key and body', async () => {
      const { server, provider, store } = await startDeployments({
        databaseId,
      });
      const key = idempotencyKey();
      const send = () =>
        request(server)
          .post(`${BASE}/promote`)
          .set(as(ALICE))
          .set('Idempotency-Key', key)
          .send({ environment: 'staging', comment: 'once' });
      const first = await send();
      const second = await send();
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(provider.promoteCalls).toHaveLength(1);
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries.map(e => e.outcome)).toEqual(['executed']);

      const different = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', key)
        .send({ environment: 'staging', comment: 'another' });
      expect(different.status).toBe(422);
      expect(different.body.error.message).toContain(key);
    });

    it('answers 409 to a duplicate sent while the first is still running', async () => {
      const provider = new TestDeploymentProvider({ promoteDelayMs: 300 });
      const { server } = await startDeployments({ databaseId, provider });
      const key = idempotencyKey();
      const send = () =>
        request(server)
          .post(`${BASE}/promote`)
          .set(as(ALICE))
          .set('Idempotency-Key', key)
          .send({ environment: 'staging' });
      const statuses = (await Promise.all([send(), send()]))
        .map(r => r.status)
        .sort();
      expect(statuses).toEqual([200, 409]);
      expect(provider.promoteCalls).toHaveLength(1);
    });

    it('lets only one of two concurrent promotions of one environment run, and audits the refused one', async () => {
      const provider = new TestDeploymentProvider({ promoteDelayMs: 300 });
      const { server, store } = await startDeployments({
        databaseId,
        provider,
      });
      const promote = (user: string) =>
        request(server)
          .post(`${BASE}/promote`)
          .set(as(user))
          .set('Idempotency-Key', idempotencyKey())
          .send({ environment: 'staging', comment: `from ${user}` });
      const responses = await Promise.all([promote(ALICE), promote(BOB)]);
      expect(responses.map(r => r.status).sort()).toEqual([200, 409]);
      expect(provider.promoteCalls).toHaveLength(1);

      const refused = responses.find(r => r.status === 409)!;
      const winner = responses.find(r => r.status === 200)!;
      const conflict = `A promote request for ${ENTITY_REF} in 'staging' is already approved (request ${winner.body.request.id})`;
      expect(refused.body.error).toEqual({
        name: 'ConflictError',
        message: conflict,
      });
      expect(refused.body.checks).toContainEqual({
        rule: 'one-at-a-time',
        passed: false,
        message: conflict,
      });
      const loser = winner.body.request.requestedBy === ALICE ? BOB : ALICE;
      const { entries } = await store.listAudit(
        ENTITY_REF,
        { outcome: ['refused'] },
        { limit: 10 },
      );
      expect(entries).toEqual([
        expect.objectContaining({
          action: 'promote',
          actor: loser,
          environment: 'staging',
          version: expect.objectContaining({ sha: S3 }),
          comment: `from ${loser}`,
          detail: `one-at-a-time: ${conflict}`,
        }),
      ]);
    });

    it('decides a gate once when two reviewers approve at the same moment', async () => {
      const provider = new TestDeploymentProvider({ promoteDelayMs: 300 });
      const { server, store } = await startDeployments({
        databaseId,
        provider,
      });
      const promoted = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production' });
      expect(promoted.status).toBe(202);
      const approve = (user: string) =>
        request(server)
          .post(`${BASE}/approve`)
          .set(as(user))
          .set('Idempotency-Key', idempotencyKey())
          .send({
            gateId: `stagecraft:${promoted.body.request.id}`,
            comment: `approved by ${user}`,
          });
      const responses = await Promise.all([
        approve(BOB),
        approve('user:default/carol'),
      ]);
      expect(responses.map(r => r.status).sort()).toEqual([200, 409]);
      expect(provider.promoteCalls).toHaveLength(1);
      const { entries } = await store.listAudit(
        ENTITY_REF,
        { action: ['approve'] },
        { limit: 10 },
      );
      expect(entries.map(e => e.outcome).sort()).toEqual([
        'approved',
        'refused',
      ]);
      expect(entries.find(e => e.outcome === 'refused')?.detail).toMatch(
        /^decided-once: /,
      );
    });
  },
);
