import { inspect } from 'node:util';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import type { TestDatabaseId } from '@backstage/backend-test-utils';
import type { DeploymentState } from '@stagecraft/plugin-deployments-common';
import { TestDeploymentProvider } from '@stagecraft/plugin-deployments-node/testing';
import request from 'supertest';
import type { LedgerDeployment } from '../database/DeploymentStore';
import {
  ALICE,
  BASE,
  ENTITY_REF,
  S1,
  S2,
  TAGS,
  as,
  databases,
  daysAgo,
  denyOnly,
  idempotencyKey,
  startDeployments,
} from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

type Started = Awaited<ReturnType<typeof startDeployments>>;

/** v1.1.0 rolling out to production right now, as `test:rollout-9`. */
const ROLLOUT = 'test:rollout-9';

function rollout(
  id: string,
  environment: string,
  sha: string,
  states: DeploymentState[],
): LedgerDeployment {
  const createdAt = daysAgo(0.01);
  return {
    providerDeploymentId: id,
    environment,
    version: { sha, tag: TAGS[sha] },
    statuses: states.map((state, index) => ({
      state,
      at: new Date(Date.parse(createdAt) + index * 1000).toISOString(),
    })),
    createdAt,
    updatedAt: createdAt,
    triggeredBy: 'ci-bot',
  };
}

async function withRollout(
  options: Parameters<typeof startDeployments>[0] = {},
): Promise<Started> {
  const started = await startDeployments(options);
  await started.store.upsertDeployments(ENTITY_REF, started.provider.id, [
    rollout('rollout-9', 'production', S2, ['queued', 'in_progress']),
    rollout('rollout-8', 'staging', S2, ['in_progress', 'success']),
  ]);
  return started;
}

function abort(
  { server }: Started,
  body: object,
  key: string = idempotencyKey(),
  headers: Record<string, string> = {},
) {
  return request(server)
    .post(`${BASE}/abort`)
    .set(as(ALICE))
    .set('Idempotency-Key', key)
    .set(headers)
    .send({ comment: 'payments-5xx alarm', ...body });
}

async function auditOf(started: Started) {
  return (await started.store.listAudit(ENTITY_REF, {}, { limit: 10 })).entries;
}

describe.each(databases.eachSupportedId())(
  'aborting a rollout on %p',
  (databaseId: TestDatabaseId) => {
    it('records on the stopped deployment who stopped it and why, which the provider’s report of the roll back keeps', async () => {
      const started = await withRollout({ databaseId });
      const response = await abort(started, {
        environment: 'production',
        deploymentId: ROLLOUT,
        comment: 'checkout 5xx',
      });
      expect(response.status).toBe(200);
      const stopped = () =>
        started.store.getDeployment(ENTITY_REF, ROLLOUT).then(d => d?.rollback);
      expect(await stopped()).toEqual({
        automatic: false,
        by: ALICE,
        reason: 'checkout 5xx',
      });

      // The provider then reports the roll back in its own words.
      await started.store.upsertDeployments(ENTITY_REF, started.provider.id, [
        {
          ...rollout('rollout-9', 'production', S2, [
            'queued',
            'in_progress',
            'rolled_back',
          ]),
          rollback: {
            automatic: true,
            reason: 'Deployment was stopped by request',
            restoredVersion: { sha: S1 },
          },
        },
      ]);
      expect(await stopped()).toEqual({
        automatic: false,
        by: ALICE,
        reason: 'checkout 5xx',
        restoredVersion: { sha: S1 },
      });
    });

    it('stops the rollout through the provider once, audits it, and replays the same answer for the same key', async () => {
      const started = await withRollout({ databaseId });
      const key = idempotencyKey();
      const body = {
        environment: 'production',
        deploymentId: ROLLOUT,
        comment: 'payments-5xx alarm',
      };
      const first = await abort(started, body, key);
      expect(first.status).toBe(200);
      expect(first.body.request).toMatchObject({
        action: 'abort',
        state: 'executed',
        environment: 'production',
        version: { sha: S2 },
        requestedBy: ALICE,
        comment: 'payments-5xx alarm',
        providerReference: 'abort-1',
      });
      expect(first.body.checks).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ rule: 'permission', passed: true }),
          expect.objectContaining({ rule: 'in-flight', passed: true }),
        ]),
      );
      expect(started.provider.abortCalls).toEqual([
        expect.objectContaining({
          target: expect.objectContaining({ key: 'acme/payments-api' }),
          deployment: {
            providerDeploymentId: 'rollout-9',
            environment: 'production',
          },
          rollback: true,
          requestedBy: ALICE,
          comment: 'payments-5xx alarm',
          idempotencyKey: `stagecraft:${first.body.request.id}`,
        }),
      ]);

      const again = await abort(started, body, key);
      expect(again.status).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(started.provider.abortCalls).toHaveLength(1);

      expect(await auditOf(started)).toEqual([
        expect.objectContaining({
          action: 'abort',
          outcome: 'executed',
          actor: ALICE,
          providerIdentity: 'test-app',
          environment: 'production',
          version: expect.objectContaining({ sha: S2 }),
          comment: 'payments-5xx alarm',
          requestId: first.body.request.id,
          detail: `stopped deployment ${ROLLOUT} with a roll back`,
        }),
      ]);
      // The abort does not hold the environment: a promotion may follow.
      const promoted = await request(started.server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production' });
      expect(promoted.status).toBe(202);
    });
  },
);

describe('aborting a rollout', () => {
  it('passes rollback: false to the provider when asked to leave the new version in place', async () => {
    const started = await withRollout();
    const response = await abort(started, {
      environment: 'production',
      deploymentId: ROLLOUT,
      rollback: false,
    });
    expect(response.status).toBe(200);
    expect(started.provider.abortCalls[0].rollback).toBe(false);
    expect((await auditOf(started))[0].detail).toBe(
      `stopped deployment ${ROLLOUT} without a roll back`,
    );
  });

  it('answers 403 without deployments.abort, calls no provider, and audits the refusal', async () => {
    const started = await withRollout({
      permissions: denyOnly('deployments.abort'),
    });
    const response = await abort(started, {
      environment: 'production',
      deploymentId: ROLLOUT,
    });
    expect(response.status).toBe(403);
    expect(response.body.error).toEqual({
      name: 'NotAllowedError',
      message: `deployments.abort is not allowed on ${ENTITY_REF}`,
    });
    expect(response.body.checks).toEqual([
      expect.objectContaining({ rule: 'permission', passed: false }),
    ]);
    expect(started.provider.abortCalls).toHaveLength(0);
    expect(await auditOf(started)).toEqual([
      expect.objectContaining({
        action: 'abort',
        outcome: 'refused',
        environment: 'production',
        version: expect.objectContaining({ sha: S2 }),
        detail: expect.stringContaining('deployments.abort is not allowed'),
      }),
    ]);
  });

  it('needs deployments.abort, not deployments.rollback: a caller refused roll backs may still abort', async () => {
    const started = await withRollout({
      permissions: denyOnly('deployments.rollback'),
    });
    const response = await abort(started, {
      environment: 'production',
      deploymentId: ROLLOUT,
    });
    expect(response.status).toBe(200);
    expect(response.body.checks).toContainEqual(
      expect.objectContaining({
        rule: 'permission',
        passed: true,
        message: expect.stringContaining('deployments.abort'),
      }),
    );
    expect(started.provider.abortCalls).toHaveLength(1);
  });

  it.each([
    {
      what: 'a finished deployment',
      deploymentId: 'test:rollout-8',
      environment: 'staging',
      message: 'is success, no longer in flight',
    },
    {
      what: 'a rollout of another environment',
      deploymentId: ROLLOUT,
      environment: 'staging',
      message: 'is in production, not in staging',
    },
  ])(
    'refuses to abort $what with 422 naming the in-flight rule',
    async ({ deploymentId, environment, message }) => {
      const started = await withRollout();
      const response = await abort(started, { environment, deploymentId });
      expect(response.status).toBe(422);
      expect(response.body.error.name).toBe('PolicyRefusedError');
      expect(response.body.checks).toContainEqual({
        rule: 'in-flight',
        passed: false,
        message: expect.stringContaining(message),
      });
      expect(started.provider.abortCalls).toHaveLength(0);
      expect(await started.knex('promotion_requests').select()).toEqual([]);
      expect(await auditOf(started)).toEqual([
        expect.objectContaining({
          action: 'abort',
          outcome: 'refused',
          detail: expect.stringContaining('in-flight: '),
        }),
      ]);
    },
  );

  it('refuses with 422 provider-capability when the environment’s provider cannot abort', async () => {
    const provider = new TestDeploymentProvider({
      capabilities: [
        'compare',
        'resolveVersion',
        'promote',
        'review',
        'handleWebhook',
      ],
    });
    const started = await withRollout({ provider });
    const response = await abort(started, {
      environment: 'production',
      deploymentId: ROLLOUT,
    });
    expect(response.status).toBe(422);
    expect(response.body.checks).toContainEqual({
      rule: 'provider-capability',
      passed: false,
      message:
        'test cannot stop a rollout in production (the provider has no abort capability)',
    });
    expect(provider.abortCalls).toHaveLength(0);
    expect((await auditOf(started))[0]).toMatchObject({
      action: 'abort',
      outcome: 'refused',
      detail: expect.stringContaining('provider-capability: '),
    });
  });

  it('refuses with 422 environment-owner a rollout reported by a provider that does not own the environment', async () => {
    const started = await withRollout();
    await started.store.upsertDeployments(ENTITY_REF, 'other', [
      rollout('r-1', 'production', S1, ['in_progress']),
    ]);
    const response = await abort(started, {
      environment: 'production',
      deploymentId: 'other:r-1',
    });
    expect(response.status).toBe(422);
    expect(response.body.checks).toContainEqual(
      expect.objectContaining({
        rule: 'environment-owner',
        passed: false,
        message: expect.stringContaining('test owns production'),
      }),
    );
    expect(started.provider.abortCalls).toHaveLength(0);
  });

  it('answers 404 for a deployment the entity does not have, writing nothing', async () => {
    const started = await withRollout();
    const response = await abort(started, {
      environment: 'production',
      deploymentId: 'test:rollout-404',
    });
    expect(response.status).toBe(404);
    expect(response.body.error.message).toContain("'test:rollout-404'");
    expect(started.provider.abortCalls).toHaveLength(0);
    expect(await auditOf(started)).toEqual([]);
  });

  it('records a provider failure with the user token scrubbed, answers 502 with the failed request, and frees the environment', async () => {
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
    const started = await withRollout({
      services: [
        createServiceFactory({
          service: coreServices.logger,
          deps: {},
          factory: () => logger,
        }),
      ],
    });
    const token = 'ghu_secret-token-value';
    const stop = started.provider.abort!;
    started.provider.abort = async () => {
      throw new Error(`StopDeployment denied for ${token}`);
    };
    const failed = await abort(
      started,
      { environment: 'production', deploymentId: ROLLOUT },
      idempotencyKey(),
      { 'X-Deployments-Provider-Token': token },
    );
    expect(failed.status).toBe(502);
    expect(failed.body.error).toEqual({
      name: 'ProviderActionError',
      message: 'test: StopDeployment denied for ***',
    });
    expect(failed.body.promotionRequest).toMatchObject({
      action: 'abort',
      state: 'failed',
    });
    expect((await auditOf(started))[0]).toMatchObject({
      action: 'abort',
      outcome: 'failed',
      detail: `could not stop deployment ${ROLLOUT} with a roll back: test: StopDeployment denied for ***`,
    });
    const everything = JSON.stringify([
      failed.body,
      await started.knex('audit_log').select(),
      await started.knex('idempotency_keys').select(),
      await started.knex('promotion_requests').select(),
      recorded,
    ]);
    expect(everything).not.toContain('ghu_secret');

    started.provider.abort = stop;
    const retried = await abort(started, {
      environment: 'production',
      deploymentId: ROLLOUT,
    });
    expect(retried.status).toBe(200);
    expect(started.provider.abortCalls).toHaveLength(1);
  });
});
