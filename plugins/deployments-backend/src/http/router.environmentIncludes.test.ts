import request from 'supertest';
import {
  ALICE,
  BASE,
  S1,
  S2,
  S3,
  databases,
  denyOnly,
  startDeployments,
  as,
} from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

describe('deployments router: the environments route opens the tab in one request', () => {
  it.each(databases.eachSupportedId())(
    'carries the caller’s permissions and the timeline’s first page when asked (%s)',
    async databaseId => {
      const { server } = await startDeployments({
        databaseId,
        permissions: denyOnly('deployments.approve', 'deployments.override'),
      });
      const response = await request(server)
        .get(`${BASE}/environments?include=permissions,timeline&timelineLimit=2`)
        .set(as(ALICE));
      expect(response.status).toBe(200);
      expect(response.body.permissions).toEqual({
        promote: true,
        approve: false,
        rollback: true,
        abort: true,
        override: false,
      });
      const timeline = response.body.timeline;
      expect(timeline.environments).toEqual(['dev', 'staging', 'production']);
      expect(timeline.rows.map((row: any) => row.version.sha)).toEqual([
        S3,
        S2,
      ]);
      expect(timeline.nextCursor).toEqual(expect.any(String));

      // The same page as the timeline route answers, cursor included.
      const direct = await request(server)
        .get(`${BASE}/timeline?limit=2`)
        .set(as(ALICE));
      expect(direct.body).toEqual(timeline);
      const next = await request(server)
        .get(`${BASE}/timeline?limit=2&cursor=${timeline.nextCursor}`)
        .set(as(ALICE));
      expect(next.body.rows.map((row: any) => row.version.sha)).toEqual([S1]);

      // The lanes themselves are what the plain route answers.
      const plain = await request(server)
        .get(`${BASE}/environments`)
        .set(as(ALICE));
      expect(plain.body.permissions).toBeUndefined();
      expect(plain.body.timeline).toBeUndefined();
      expect(response.body.environments).toEqual(plain.body.environments);
    },
  );

  it('refuses an unknown include with a 400 naming the field', async () => {
    const { server } = await startDeployments();
    const response = await request(server)
      .get(`${BASE}/environments?include=secrets`)
      .set(as(ALICE));
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/include/);
  });
});
