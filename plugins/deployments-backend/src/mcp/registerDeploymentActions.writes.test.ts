import { mockCredentials } from '@backstage/backend-test-utils';
import type { AuditEntry } from '@stagecraft/plugin-deployments-common';
import request from 'supertest';
import {
  ALICE,
  BASE,
  BOB,
  ENTITY_REF,
  S1,
  S2,
  S3,
  as,
  databases,
  denyOnly,
  idempotencyKey,
} from '../http/__testUtils__/routerTestKit';
import {
  RecordedAuditEvent,
  startWithRegistry,
} from './__testUtils__/registryTestKit';

jest.setTimeout(60_000);

type Started = Awaited<ReturnType<typeof startWithRegistry>>;

async function auditLog(started: Started): Promise<AuditEntry[]> {
  const { entries } = await started.store.listAudit(
    ENTITY_REF,
    {},
    { limit: 50 },
  );
  return entries.reverse();
}

const promoteInput = (fields: object = {}) => ({
  entityRef: ENTITY_REF,
  environment: 'staging',
  comment: 'ship it',
  idempotencyKey: idempotencyKey(),
  ...fields,
});

describe.each(databases.eachSupportedId())(
  'deployments write actions in the actions registry on %p',
  databaseId => {
    it('promotes as the calling user, audits it, and says what it did', async () => {
      const started = await startWithRegistry({ databaseId });
      const output = await started.invoke('promote', promoteInput());
      expect(output).toEqual({
        done: true,
        outcome: 'executed',
        statusCode: 200,
        replayed: false,
        message: 'promote of v1.2.0 into staging: executed',
        request: expect.objectContaining({
          state: 'executed',
          environment: 'staging',
          version: expect.objectContaining({ sha: S3 }),
          requestedBy: ALICE,
          providerReference: 'run-1',
        }),
        checks: expect.arrayContaining([
          expect.objectContaining({ rule: 'permission', passed: true }),
        ]),
      });
      expect(started.provider.promoteCalls).toEqual([
        expect.objectContaining({
          environment: 'staging',
          kind: 'promote',
          requestedBy: ALICE,
        }),
      ]);
      expect(await auditLog(started)).toEqual([
        expect.objectContaining({
          action: 'promote',
          outcome: 'executed',
          actor: ALICE,
          environment: 'staging',
          comment: 'ship it',
          providerIdentity: 'test-app',
        }),
      ]);
      expect(started.auditEvents).toEqual([
        expect.objectContaining({
          eventId: 'deployment-action',
          severityLevel: 'medium',
          status: 'initiated',
          withRequest: false,
          meta: {
            action: 'promote',
            entity: ENTITY_REF,
            actor: ALICE,
            via: 'actions-registry',
          },
        }),
        expect.objectContaining({
          status: 'succeeded',
          meta: expect.objectContaining({
            actor: ALICE,
            entityRef: ENTITY_REF,
            outcome: 'executed',
            statusCode: 200,
            replayed: false,
            environment: 'staging',
            version: S3,
          }),
        }),
      ]);
    });

    it('replays the outcome for the same idempotencyKey instead of acting again, also of a key the REST API used', async () => {
      const started = await startWithRegistry({ databaseId });
      const input = promoteInput({ comment: 'once' });
      const first = await started.invoke('promote', input);
      const second = await started.invoke('promote', input);
      expect(first.replayed).toBe(false);
      expect(second).toEqual({ ...first, replayed: true });
      expect(started.provider.promoteCalls).toHaveLength(1);
      expect((await auditLog(started)).map(e => e.outcome)).toEqual([
        'executed',
      ]);
      expect(started.auditEvents.at(-1)?.meta).toMatchObject({
        replayed: true,
      });

      await expect(
        started.invoke('promote', { ...input, comment: 'another' }),
      ).rejects.toMatchObject({
        name: 'IdempotencyKeyReusedError',
        message: expect.stringContaining(input.idempotencyKey),
      });

      const key = idempotencyKey();
      const rest = await request(started.server)
        .post(`${BASE}/rollback`)
        .set(as(ALICE))
        .set('Idempotency-Key', key)
        .send({ environment: 'dev', comment: 'undo' });
      expect(rest.status).toBe(200);
      const replayed = await started.invoke('rollback', {
        entityRef: ENTITY_REF,
        environment: 'dev',
        comment: 'undo',
        idempotencyKey: key,
      });
      expect(replayed).toMatchObject({ replayed: true, statusCode: 200 });
      expect(replayed.request).toEqual(rest.body.request);
      expect(started.provider.promoteCalls).toHaveLength(2);
    });

    it('refuses a caller without the permission, and audits the refusal', async () => {
      const started = await startWithRegistry({
        databaseId,
        permissions: denyOnly('deployments.promote'),
      });
      const output = await started.invoke('promote', promoteInput());
      expect(output).toMatchObject({
        done: false,
        outcome: 'forbidden',
        statusCode: 403,
        replayed: false,
        checks: [
          expect.objectContaining({ rule: 'permission', passed: false }),
        ],
      });
      expect(output.message).toContain('deployments.promote');
      expect(started.provider.promoteCalls).toHaveLength(0);
      expect(await auditLog(started)).toEqual([
        expect.objectContaining({
          outcome: 'refused',
          actor: ALICE,
          environment: 'staging',
          detail: expect.stringContaining('deployments.promote is not allowed'),
        }),
      ]);
      expect(started.auditEvents.at(-1)).toMatchObject({
        status: 'failed',
        meta: { refusedBy: ['permission'], statusCode: 403, actor: ALICE },
      });
    });

    it('refuses what a policy forbids, and audits the refusal', async () => {
      const started = await startWithRegistry({ databaseId });
      const output = await started.invoke(
        'promote',
        promoteInput({ environment: 'production', version: S3 }),
      );
      expect(output).toMatchObject({
        done: false,
        outcome: 'refused',
        statusCode: 422,
        checks: expect.arrayContaining([
          expect.objectContaining({ rule: 'promotion-order', passed: false }),
        ]),
      });
      expect(started.provider.promoteCalls).toHaveLength(0);
      expect(await auditLog(started)).toEqual([
        expect.objectContaining({
          outcome: 'refused',
          environment: 'production',
          version: expect.objectContaining({ sha: S3 }),
          detail: expect.stringContaining('promotion-order: '),
        }),
      ]);
    });

    it('holds a promotion into production until another person approves it, and lets a third reject the next', async () => {
      const started = await startWithRegistry({ databaseId });
      const held = await started.invoke(
        'promote',
        promoteInput({ environment: 'production', comment: 'release 1.1' }),
      );
      expect(held).toMatchObject({
        done: true,
        outcome: 'held',
        statusCode: 202,
        request: { state: 'pending', version: { sha: S2 } },
      });
      const gateId = `stagecraft:${held.request.id}`;
      const decide = (
        action: 'approve' | 'reject',
        user: string,
        comment: string,
      ) =>
        started.invoke(
          action,
          {
            entityRef: ENTITY_REF,
            gateId,
            comment,
            idempotencyKey: idempotencyKey(),
          },
          mockCredentials.user(user),
        );

      const own = await decide('approve', ALICE, 'me, myself');
      expect(own).toMatchObject({ done: false, outcome: 'refused' });
      expect(own.checks).toContainEqual(
        expect.objectContaining({ rule: 'no-self-approval', passed: false }),
      );
      expect(started.provider.promoteCalls).toHaveLength(0);

      const approved = await decide('approve', BOB, 'verified in staging');
      expect(approved).toMatchObject({
        done: true,
        outcome: 'executed',
        statusCode: 200,
        request: { state: 'executed', decidedBy: BOB },
      });
      expect(started.provider.promoteCalls).toEqual([
        expect.objectContaining({
          environment: 'production',
          version: expect.objectContaining({ sha: S2 }),
          requestedBy: ALICE,
        }),
      ]);

      const again = await decide('reject', BOB, 'too late');
      expect(again).toMatchObject({ outcome: 'conflict', statusCode: 409 });
      expect(again.checks).toContainEqual(
        expect.objectContaining({ rule: 'decided-once', passed: false }),
      );
      expect(
        (await auditLog(started)).map(
          e => `${e.action}:${e.outcome}:${e.actor}`,
        ),
      ).toEqual([
        `promote:requested:${ALICE}`,
        `approve:refused:${ALICE}`,
        `approve:approved:${BOB}`,
        `promote:executed:${BOB}`,
        `reject:refused:${BOB}`,
      ]);
    });

    it('rolls an environment back to the version that ran there before', async () => {
      const started = await startWithRegistry({ databaseId });
      const output = await started.invoke(
        'rollback',
        {
          entityRef: ENTITY_REF,
          environment: 'staging',
          comment: 'bad build',
          idempotencyKey: idempotencyKey(),
        },
        mockCredentials.user(BOB),
      );
      expect(output).toMatchObject({
        done: true,
        outcome: 'executed',
        request: { action: 'rollback', version: { sha: S1 } },
      });
      expect(started.provider.promoteCalls).toEqual([
        expect.objectContaining({ environment: 'staging', kind: 'rollback' }),
      ]);
    });

    it('acts only for a user: service credentials are refused before anything is checked or written', async () => {
      const started = await startWithRegistry({ databaseId });
      for (const credentials of [
        mockCredentials.service('external:ci'),
        mockCredentials.none(),
      ]) {
        await expect(
          started.invoke('promote', promoteInput(), credentials),
        ).rejects.toMatchObject({ name: 'NotAllowedError' });
      }
      expect(started.provider.promoteCalls).toHaveLength(0);
      expect(await auditLog(started)).toEqual([]);
      expect(started.auditEvents).toEqual([]);
    });

    it('validates the input with the REST API’s rules, audits a bad one as failed, and writes nothing', async () => {
      const started = await startWithRegistry({ databaseId });
      await expect(
        started.invoke('promote', promoteInput({ idempotencyKey: 'short' })),
      ).rejects.toMatchObject({
        name: 'InputError',
        message:
          'Invalid idempotencyKey: request must be at least 8 characters',
      });
      await expect(
        started.invoke('promote', promoteInput({ environment: 'qa' })),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          "environment 'qa' is not on the promotion path",
        ),
      });
      await expect(
        started.invoke('approve', {
          entityRef: ENTITY_REF,
          gateId: '',
          comment: 'ok',
          idempotencyKey: idempotencyKey(),
        }),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(/^Invalid approve input: gateId /),
      });
      // The registry's own schema: the key is required, unknown fields are refused.
      const { idempotencyKey: _, ...withoutKey } = promoteInput();
      await expect(started.invoke('promote', withoutKey)).rejects.toMatchObject(
        { name: 'InputError' },
      );
      await expect(
        started.invoke('promote', promoteInput({ force: true })),
      ).rejects.toMatchObject({ name: 'InputError' });

      expect(started.provider.promoteCalls).toHaveLength(0);
      expect(await auditLog(started)).toEqual([]);
      expect(
        started.auditEvents
          .filter(e => e.status !== 'initiated')
          .map(e => e.status),
      ).toEqual(['failed', 'failed', 'failed']);
    });

    it('writes the same audit log and auditor events as the REST API for the same calls', async () => {
      /** One call through an edge: the status REST answers (or would), and the request made. */
      type Edge = (
        user: string,
        action: 'promote' | 'rollback' | 'approve' | 'reject',
        body: object,
        key: string,
      ) => Promise<{ statusCode: number; requestId?: string }>;
      const viaRest =
        (started: Started): Edge =>
        async (user, action, body, key) => {
          const response = await request(started.server)
            .post(`${BASE}/${action}`)
            .set(as(user))
            .set('Idempotency-Key', key)
            .send(body);
          return {
            statusCode: response.status,
            requestId:
              response.body.request?.id ?? response.body.promotionRequest?.id,
          };
        };
      const viaRegistry =
        (started: Started): Edge =>
        async (user, action, body, key) => {
          const output = await started.invoke(
            action,
            { entityRef: ENTITY_REF, ...body, idempotencyKey: key },
            mockCredentials.user(user),
          );
          return {
            statusCode: output.statusCode,
            requestId: output.request?.id,
          };
        };

      /** Every outcome once: executed, held, refused, approved, rolled back, failed, rejected, replayed. */
      const script = async (started: Started, edge: Edge) => {
        const statuses: number[] = [];
        const step: Edge = async (user, action, body, key) => {
          const result = await edge(user, action, body, key);
          statuses.push(result.statusCode);
          return result;
        };
        const first = idempotencyKey();
        await step(
          ALICE,
          'promote',
          { environment: 'staging', comment: 'a' },
          first,
        );
        await step(
          ALICE,
          'promote',
          { environment: 'staging', comment: 'a' },
          first,
        );
        const held = await step(
          ALICE,
          'promote',
          { environment: 'production', comment: 'release' },
          idempotencyKey(),
        );
        const gateId = `stagecraft:${held.requestId}`;
        await step(
          ALICE,
          'approve',
          { gateId, comment: 'mine' },
          idempotencyKey(),
        );
        await step(
          BOB,
          'approve',
          { gateId, comment: 'checked' },
          idempotencyKey(),
        );
        await step(
          BOB,
          'rollback',
          { environment: 'staging', comment: 'undo' },
          idempotencyKey(),
        );
        await step(
          BOB,
          'promote',
          { environment: 'production', version: S3 },
          idempotencyKey(),
        );
        started.provider.failures.promote = new Error('runner offline');
        await step(
          BOB,
          'rollback',
          { environment: 'dev', comment: 'again' },
          idempotencyKey(),
        );
        delete started.provider.failures.promote;
        const next = await step(
          BOB,
          'promote',
          { environment: 'production', comment: 'next' },
          idempotencyKey(),
        );
        await step(
          ALICE,
          'reject',
          { gateId: `stagecraft:${next.requestId}`, comment: 'not today' },
          idempotencyKey(),
        );
        return statuses;
      };

      const rest = await startWithRegistry({ databaseId });
      const registry = await startWithRegistry({ databaseId });
      const restStatuses = await script(rest, viaRest(rest));
      const registryStatuses = await script(registry, viaRegistry(registry));
      expect(restStatuses).toEqual([
        200, 200, 202, 422, 200, 200, 422, 502, 202, 200,
      ]);
      expect(registryStatuses).toEqual(restStatuses);

      const withoutIds = (entries: AuditEntry[]) =>
        entries.map(({ id: _id, at: _at, requestId, ...rest_ }) => ({
          ...rest_,
          hasRequest: Boolean(requestId),
        }));
      const registryLog = await auditLog(registry);
      expect(registryLog).toHaveLength(10);
      expect(withoutIds(registryLog)).toEqual(withoutIds(await auditLog(rest)));
      expect(rest.provider.promoteCalls).toHaveLength(
        registry.provider.promoteCalls.length,
      );

      const comparable = (events: RecordedAuditEvent[]) =>
        events.map(
          ({
            withRequest: _w,
            meta: { actor: _a, via: _v, requestId, ...meta },
            ...event
          }) => ({
            ...event,
            meta: { ...meta, ...(requestId ? { requestId: 'some id' } : {}) },
          }),
        );
      expect(comparable(registry.auditEvents)).toEqual(
        comparable(rest.auditEvents),
      );
      expect(rest.auditEvents.every(e => e.withRequest)).toBe(true);
      expect(
        registry.auditEvents.every(
          e =>
            !e.withRequest &&
            e.meta.via === 'actions-registry' &&
            [ALICE, BOB].includes(e.meta.actor as string),
        ),
      ).toBe(true);
    });
  },
);
