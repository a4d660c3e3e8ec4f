import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  ALICE,
  BASE,
  BOB,
  ENTITY_REF,
  S2,
  as,
  databases,
  denyOnly,
  idempotencyKey,
  startDeployments,
} from '../../http/__testUtils__/routerTestKit';
import { deploymentsPlugin } from '../../plugin';

jest.setTimeout(60_000);

/** A window that is on whenever these tests run. */
function frozen(environments: string[]) {
  return {
    deployments: {
      freezes: [
        {
          name: 'release-freeze',
          environments,
          start: '2020-01-01T00:00',
          end: '2099-01-01T00:00',
          timeZone: 'UTC',
          reason: 'Year-end release freeze',
        },
        {
          name: 'far-future',
          start: '2098-06-01T00:00',
          end: '2098-06-02T00:00',
          timeZone: 'Europe/Berlin',
          reason: 'Not yet',
        },
      ],
    },
  };
}

const UNTIL =
  'until Thu 1 Jan 2099 00:00 UTC (release-freeze: Year-end release freeze)';

describe.each(databases.eachSupportedId())(
  'freeze windows on %p',
  databaseId => {
    it('refuses a promotion into a frozen environment with the rule freeze and the window’s end, writing only the refusal', async () => {
      const { server, provider, store } = await startDeployments({
        databaseId,
        config: frozen(['production']),
      });
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production' });
      expect(response.status).toBe(422);
      expect(response.body.checks).toContainEqual({
        rule: 'freeze',
        passed: false,
        message: `production is frozen ${UNTIL}; an incident fix can pass with deployments.override and an overrideReason`,
      });
      expect(provider.promoteCalls).toHaveLength(0);
      expect(await store.listPendingRequests(ENTITY_REF)).toEqual([]);
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries).toEqual([
        expect.objectContaining({
          action: 'promote',
          outcome: 'refused',
          detail: expect.stringContaining(
            `freeze: production is frozen ${UNTIL}`,
          ),
        }),
      ]);
    });

    it('lets promotions into environments the window does not cover through', async () => {
      const { server, provider } = await startDeployments({
        databaseId,
        config: frozen(['production']),
      });
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging' });
      expect(response.status).toBe(200);
      expect(response.body.checks).toContainEqual({
        rule: 'freeze',
        passed: true,
        message:
          'staging is not frozen; the next window (far-future) starts Sun 1 Jun 2098 00:00 Europe/Berlin',
      });
      expect(provider.promoteCalls).toHaveLength(1);
    });

    it('refuses a roll back into a frozen environment', async () => {
      const { server, provider } = await startDeployments({
        databaseId,
        config: frozen(['staging']),
      });
      const response = await request(server)
        .post(`${BASE}/rollback`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging' });
      expect(response.status).toBe(422);
      expect(response.body.checks).toContainEqual(
        expect.objectContaining({ rule: 'freeze', passed: false }),
      );
      expect(provider.promoteCalls).toHaveLength(0);
    });

    it('lets an override with deployments.override through, and audits it at every step', async () => {
      const { server, provider, store } = await startDeployments({
        databaseId,
        config: frozen(['production']),
      });
      const promoted = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production', overrideReason: 'INC-7 hotfix' });
      expect(promoted.status).toBe(202);
      expect(promoted.body.checks).toContainEqual({
        rule: 'freeze',
        passed: true,
        message: `production is frozen ${UNTIL}; overridden by ${ALICE}: INC-7 hotfix`,
      });
      const gateId = `stagecraft:${promoted.body.request.id}`;

      // The approval lets the deployment into the frozen environment: it needs its own override.
      const approvedPlain = await request(server)
        .post(`${BASE}/approve`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .send({ gateId, comment: 'checked the fix' });
      expect(approvedPlain.status).toBe(422);
      expect(approvedPlain.body.checks).toContainEqual(
        expect.objectContaining({ rule: 'freeze', passed: false }),
      );
      expect(provider.promoteCalls).toHaveLength(0);

      const approved = await request(server)
        .post(`${BASE}/approve`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .send({
          gateId,
          comment: 'checked the fix',
          overrideReason: 'INC-7 hotfix, reviewed',
        });
      expect(approved.status).toBe(200);
      expect(approved.body.request.state).toBe('executed');
      expect(provider.promoteCalls).toEqual([
        expect.objectContaining({
          environment: 'production',
          version: expect.objectContaining({ sha: S2 }),
        }),
      ]);

      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(
        entries.map(e => [e.action, e.outcome, e.actor, e.detail]).reverse(),
      ).toEqual([
        [
          'promote',
          'requested',
          ALICE,
          'freeze overridden: INC-7 hotfix (release-freeze until 2099-01-01T00:00:00.000Z)',
        ],
        [
          'approve',
          'refused',
          BOB,
          expect.stringContaining('freeze: production is frozen'),
        ],
        [
          'approve',
          'approved',
          BOB,
          'freeze overridden: INC-7 hotfix, reviewed (release-freeze until 2099-01-01T00:00:00.000Z)',
        ],
        [
          'promote',
          'executed',
          BOB,
          'freeze overridden: INC-7 hotfix, reviewed (release-freeze until 2099-01-01T00:00:00.000Z)',
        ],
      ]);
    });

    it('refuses an override from someone without deployments.override, naming the permission', async () => {
      const { server, provider, store } = await startDeployments({
        databaseId,
        config: frozen(['staging']),
        permissions: denyOnly('deployments.override'),
      });
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging', overrideReason: 'trust me' });
      expect(response.status).toBe(422);
      expect(response.body.checks).toContainEqual({
        rule: 'freeze',
        passed: false,
        message: `staging is frozen ${UNTIL}; overriding it needs the deployments.override permission`,
      });
      expect(provider.promoteCalls).toHaveLength(0);
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries.map(e => e.outcome)).toEqual(['refused']);
    });

    it('still lets a pending request be rejected during a window', async () => {
      const { server, store } = await startDeployments({
        databaseId,
        config: frozen(['production']),
      });
      const promoted = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production', overrideReason: 'INC-8' });
      const rejected = await request(server)
        .post(`${BASE}/reject`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .send({
          gateId: `stagecraft:${promoted.body.request.id}`,
          comment: 'not during the freeze',
        });
      expect(rejected.status).toBe(200);
      expect(await store.listPendingRequests(ENTITY_REF)).toEqual([]);
    });
  },
);

describe('GET /freezes', () => {
  it('lists the windows on now and each window’s next time', async () => {
    const { server } = await startDeployments({
      config: frozen(['production']),
    });
    const response = await request(server)
      .get('/api/deployments/freezes')
      .set(as(ALICE));
    expect(response.status).toBe(200);
    expect(response.body.active).toEqual([
      expect.objectContaining({
        name: 'release-freeze',
        reason: 'Year-end release freeze',
        environments: ['production'],
        scope: { kind: 'all' },
        start: '2020-01-01T00:00:00.000Z',
        end: '2099-01-01T00:00:00.000Z',
      }),
    ]);
    expect(response.body.next).toEqual([
      expect.objectContaining({
        name: 'far-future',
        start: '2098-05-31T22:00:00.000Z',
      }),
    ]);
    expect(response.body.problems).toEqual([]);
  });

  it("lists an entity's windows, with its own annotation's problems, and the times within a range", async () => {
    const { server } = await startDeployments({
      config: frozen(['production']),
    });
    const response = await request(server)
      .get('/api/deployments/freezes')
      .query({
        entity: ENTITY_REF,
        from: '2098-05-01T00:00:00Z',
        to: '2098-07-01T00:00:00Z',
      })
      .set(as(ALICE));
    expect(response.status).toBe(200);
    expect(response.body.entityRef).toBe(ENTITY_REF);
    expect(response.body.occurrences.map((o: any) => o.name)).toEqual([
      'release-freeze',
      'far-future',
    ]);
  });

  it('answers 404 for an entity the caller cannot see and 400 for a bad query', async () => {
    const { server } = await startDeployments({
      config: frozen(['production']),
    });
    const missing = await request(server)
      .get('/api/deployments/freezes')
      .query({ entity: 'component:default/nope' })
      .set(as(ALICE));
    expect(missing.status).toBe(404);
    const unknown = await request(server)
      .get('/api/deployments/freezes')
      .query({ environment: 'production' })
      .set(as(ALICE));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('Invalid freezes query');
    const halfRange = await request(server)
      .get('/api/deployments/freezes')
      .query({ from: '2026-01-01T00:00:00Z' })
      .set(as(ALICE));
    expect(halfRange.status).toBe(400);
    // `Date.parse` reads '0' and '-1' as the years 2000 and 2001: not ISO 8601.
    const notIso = await request(server)
      .get('/api/deployments/freezes')
      .query({ from: '0', to: '-1' })
      .set(as(ALICE));
    expect(notIso.status).toBe(400);
    expect(notIso.body.error.message).toMatch(/from.*ISO-8601/);
  });

  it('needs a Backstage token', async () => {
    const { server } = await startDeployments({
      config: frozen(['production']),
    });
    const response = await request(server)
      .get('/api/deployments/freezes')
      .set('Authorization', mockCredentials.none.header());
    expect(response.status).toBe(401);
  });
});

describe('freeze definitions at start-up', () => {
  it('fails to start on a bad window, naming the entry', async () => {
    await expect(
      startTestBackend({
        features: [
          deploymentsPlugin,
          mockServices.rootConfig.factory({
            data: {
              deployments: {
                freezes: [
                  frozen(['production']).deployments.freezes[0],
                  {
                    name: 'weekend',
                    rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17',
                    duration: { hours: 64 },
                    timeZone: 'Europe/Berlinn',
                    reason: 'Weekend',
                  },
                ],
              },
            },
          }),
        ],
      }),
    ).rejects.toThrow(
      "deployments.freezes[1].timeZone: 'Europe/Berlinn' is not an IANA time zone",
    );
  });
});
