import { mockCredentials, TestDatabaseId } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  ALICE,
  BASE,
  ENTITY_REF,
  S2,
  S3,
  as,
  databases,
  daysAgo,
  deployment,
  startDeployments,
} from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

const SECRET_REF = 'component:default/secret-service';
const MINUTE = 60_000;

/**
 * Beside the kit's history (every version promoted properly, GitHub-like
 * test provider): AWS deploys v1.1.0 into production ten minutes after it
 * succeeded in staging, and v1.2.0, which never reached staging; an entity
 * the catalog does not show has a skip of its own.
 */
async function started(databaseId: TestDatabaseId, config?: object) {
  const deployments = await startDeployments({ databaseId, config });
  const { staging } = await deployments.store.getEnvironmentStates(ENTITY_REF, [
    'staging',
  ]);
  const stagingOfS2 = Date.parse(staging.current!.finishedAt!);
  await deployments.store.upsertDeployments(ENTITY_REF, 'aws', [
    {
      ...deployment('production', S2, 0),
      createdAt: new Date(stagingOfS2 + 10 * MINUTE).toISOString(),
      statuses: [
        {
          state: 'success',
          at: new Date(stagingOfS2 + 15 * MINUTE).toISOString(),
        },
      ],
    },
    deployment('production', S3, 0.5),
  ]);
  await deployments.store.upsertDeployments(SECRET_REF, 'aws', [
    deployment('production', S3, 0.2),
  ]);
  return deployments;
}

describe.each(databases.eachSupportedId())(
  'promotion-skew routes on %s',
  databaseId => {
    const start = (config?: object) => started(databaseId, config);

    it("answers the entity's findings, newest first, with the provider of each", async () => {
      const { server } = await start();
      const response = await request(server).get(`${BASE}/skew`).set(as(ALICE));
      expect(response.status).toBe(200);
      expect(
        response.body.findings.map((f: any) => [
          f.version.tag,
          f.environment,
          f.previousEnvironment,
          f.kind,
          f.provider,
          f.soakSeconds,
        ]),
      ).toEqual([
        ['v1.2.0', 'production', 'staging', 'skipped', 'aws', undefined],
        ['v1.1.0', 'production', 'staging', 'short-soak', 'aws', 600],
      ]);
      expect(response.body.nextCursor).toBeUndefined();
      const onlySkips = await request(server)
        .get(`${BASE}/skew`)
        .query({ kind: 'skipped' })
        .set(as(ALICE));
      expect(onlySkips.body.findings.map((f: any) => f.kind)).toEqual([
        'skipped',
      ]);
    });

    it('takes the minimum soak per environment from config', async () => {
      const { server } = await start({
        deployments: {
          skew: {
            minimumSoak: { hours: 1 },
            environments: { production: { minimumSoak: 'PT5M' } },
          },
        },
      });
      const response = await request(server).get(`${BASE}/skew`).set(as(ALICE));
      expect(response.body.findings.map((f: any) => f.kind)).toEqual([
        'skipped',
      ]);
    });

    it('exports the findings as CSV', async () => {
      const { server } = await start();
      const response = await request(server)
        .get(`${BASE}/skew`)
        .query({ format: 'csv' })
        .set(as(ALICE));
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv/);
      expect(response.headers['content-disposition']).toBe(
        'attachment; filename="component-default-payments-api-promotion-skew.csv"',
      );
      const [header, ...rows] = response.text.trim().split('\n');
      expect(header).toBe(
        'started_at,entity,environment,previous_environment,kind,version_sha,version_tag,provider,deployment_id,state,previous_succeeded_at,soak_seconds,minimum_soak_seconds,url',
      );
      expect(rows).toHaveLength(2);
      expect(rows[0].split(',').slice(1, 8)).toEqual([
        ENTITY_REF,
        'production',
        'staging',
        'skipped',
        S3,
        'v1.2.0',
        'aws',
      ]);
      expect(rows[1].split(',').slice(11, 13)).toEqual(['600', '1800']);
    });

    it('answers across the entities the caller may see, leaving out the others, also as CSV', async () => {
      const { server } = await start();
      const response = await request(server)
        .get('/api/deployments/skew')
        .set(as(ALICE));
      expect(response.status).toBe(200);
      expect(
        response.body.findings.map((f: any) => [f.entityRef, f.kind]),
      ).toEqual([
        [ENTITY_REF, 'skipped'],
        [ENTITY_REF, 'short-soak'],
      ]);
      const paged = await request(server)
        .get('/api/deployments/skew')
        .query({ limit: 1 })
        .set(as(ALICE));
      expect(paged.body.findings).toHaveLength(1);
      const next = await request(server)
        .get('/api/deployments/skew')
        .query({ limit: 1, cursor: paged.body.nextCursor })
        .set(as(ALICE));
      expect(next.body.findings.map((f: any) => f.kind)).toEqual([
        'short-soak',
      ]);
      const bounded = await request(server)
        .get('/api/deployments/skew')
        .query({ since: daysAgo(1) })
        .set(as(ALICE));
      expect(bounded.body.findings.map((f: any) => f.kind)).toEqual([
        'skipped',
      ]);
      const csv = await request(server)
        .get('/api/deployments/skew')
        .query({ format: 'csv' })
        .set(as(ALICE));
      expect(csv.headers['content-disposition']).toBe(
        'attachment; filename="promotion-skew.csv"',
      );
      expect(csv.text).not.toContain(SECRET_REF);
      expect(csv.text.trim().split('\n')).toHaveLength(3);
    });

    it('answers 404 for an entity the caller cannot see', async () => {
      const { server } = await start();
      const response = await request(server)
        .get('/api/deployments/entities/component/default/secret-service/skew')
        .set(as(ALICE));
      expect(response.status).toBe(404);
    });

    it.each([
      [{ limit: '0' }, 'limit'],
      [{ since: 'last tuesday' }, 'since'],
      [{ kind: 'late' }, 'kind'],
      [{ format: 'xml' }, 'format'],
      [{ cursor: 'not-a-cursor' }, 'cursor'],
      [{ environment: 'production' }, 'environment'],
    ])('answers 400 naming the field for %j', async (query, field) => {
      const { server } = await start();
      for (const path of [`${BASE}/skew`, '/api/deployments/skew']) {
        const response = await request(server)
          .get(path)
          .query(query)
          .set(as(ALICE));
        expect(response.status).toBe(400);
        expect(response.body.error.message).toContain(field);
      }
    });

    it('needs a Backstage token', async () => {
      const { server } = await start();
      const response = await request(server)
        .get('/api/deployments/skew')
        .set('Authorization', mockCredentials.none.header());
      expect(response.status).toBe(401);
    });
  },
);
