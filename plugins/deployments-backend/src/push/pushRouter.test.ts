import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  databases,
  event,
  EVENTS,
  ledgerRows,
  NIGHTLY,
  NIGHTLY_BASE,
  PAYMENTS,
  PAYMENTS_BASE,
  SHA_A,
  SHA_B,
  startPushBackend,
} from './__testUtils__/pushTestKit';

jest.setTimeout(60_000);

/** The Authorization header of a service token with this subject (mock auth). */
function serviceToken(subject: string) {
  return mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'deployments',
  });
}
const JENKINS = serviceToken('jenkins-ci');
const GITLAB = serviceToken('gitlab-ci');
const USER = mockCredentials.user.header('user:default/alice');

describe.each(databases.eachSupportedId())('push events on %p', databaseId => {
  async function start() {
    return startPushBackend({ databaseId });
  }

  function push(
    server: Parameters<typeof request>[0],
    body: unknown,
    auth = JENKINS,
  ) {
    return request(server)
      .post(EVENTS)
      .set('Authorization', auth)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));
  }

  it('stores an accepted event as a deployment of the source, read back through the timeline and the lanes', async () => {
    const { server } = await start();
    const response = await push(server, event());
    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      status: 'accepted',
      eventKey: 'event:build-812-staging-success',
      entityRef: NIGHTLY,
      deploymentId: 'jenkins:nightly-reports-812-staging',
      environment: 'staging',
      recordedAs: 'deployment',
      owner: 'jenkins',
    });

    const timeline = await request(server)
      .get(`${NIGHTLY_BASE}/timeline`)
      .set('Authorization', USER);
    expect(timeline.status).toBe(200);
    expect(timeline.body.rows).toHaveLength(1);
    expect(timeline.body.rows[0].version).toEqual(
      expect.objectContaining({ sha: SHA_A, tag: 'v1.42.0' }),
    );
    expect(timeline.body.rows[0].cells.staging).toEqual(
      expect.objectContaining({
        deploymentId: 'jenkins:nightly-reports-812-staging',
        state: 'success',
        startedAt: '2025-01-31T13:58:10.000Z',
        finishedAt: '2025-01-31T14:02:00.000Z',
        url: 'https://jenkins.example.com/job/nightly-reports/812/',
        urlLabel: 'build #812',
      }),
    );

    const lanes = await request(server)
      .get(`${NIGHTLY_BASE}/environments`)
      .set('Authorization', USER);
    expect(lanes.status).toBe(200);
    const staging = lanes.body.environments.find(
      (e: { name: string }) => e.name === 'staging',
    );
    expect(staging.current).toEqual(
      expect.objectContaining({
        id: 'jenkins:nightly-reports-812-staging',
        provider: 'jenkins',
        state: 'success',
      }),
    );
  });

  it('stores an event into an environment no provider owns, and says why', async () => {
    const { server, knex } = await start();
    const response = await push(
      server,
      event({ entity: 'component:default/batch-jobs' }),
    );
    expect(response.status).toBe(202);
    expect(response.body.recordedAs).toBe('deployment');
    expect(response.body.owner).toBeUndefined();
    expect(response.body.warning).toBe(
      'gitlab and jenkins all report staging; name its owner in stagecraft.io/environments (e.g. staging=gitlab)',
    );
    expect((await ledgerRows(knex, 'jenkins')).deployments).toBe(1);
  });

  it('keeps the deployments of two sources of one entity apart, each under its own name', async () => {
    const { server, knex } = await start();
    expect((await push(server, event())).status).toBe(202);
    const fromGitlab = await push(
      server,
      event({ deploymentId: 'gitlab-job-77', environment: 'dev' }),
      GITLAB,
    );
    expect(fromGitlab.status).toBe(202);
    expect(fromGitlab.body.deploymentId).toBe('gitlab:gitlab-job-77');
    expect((await ledgerRows(knex, 'jenkins')).deployments).toBe(1);
    expect((await ledgerRows(knex, 'gitlab')).deployments).toBe(1);
  });

  it('stores a replayed event once', async () => {
    const { server, knex } = await start();
    expect((await push(server, event())).status).toBe(202);
    const replay = await push(server, event());
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({
      status: 'duplicate',
      eventKey: 'event:build-812-staging-success',
      entityRef: NIGHTLY,
    });
    expect(await ledgerRows(knex, 'jenkins')).toEqual({
      deployments: 1,
      statuses: 1,
      deliveries: 1,
    });
  });

  it('stores a retried event without eventId and time once, keyed by deployment and state', async () => {
    const { server, knex } = await start();
    const bare = event({ eventId: undefined, at: undefined });
    const first = await push(server, bare);
    expect(first.status).toBe(202);
    expect(first.body.eventKey).toBe(
      'deployment:nightly-reports-812-staging:success:',
    );
    const retry = await push(server, bare);
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe('duplicate');
    expect(await ledgerRows(knex, 'jenkins')).toEqual({
      deployments: 1,
      statuses: 1,
      deliveries: 1,
    });
  });

  it('updates a deployment with a later status, and a late earlier status does not move it back', async () => {
    const { server, knex } = await start();
    const started = event({
      eventId: 'build-812-staging-started',
      state: 'in_progress',
      at: '2025-01-31T13:58:10Z',
      startedAt: undefined,
    });
    const succeeded = event({ startedAt: undefined });
    expect((await push(server, started)).status).toBe(202);

    const during = await request(server)
      .get(`${NIGHTLY_BASE}/timeline`)
      .set('Authorization', USER);
    expect(during.body.rows[0].cells.staging.state).toBe('in_progress');

    expect((await push(server, succeeded)).status).toBe(202);
    // The start again, under another event id: history, not the state.
    expect(
      (
        await push(server, {
          ...started,
          eventId: 'build-812-staging-started-again',
        })
      ).status,
    ).toBe(202);

    expect(await ledgerRows(knex, 'jenkins')).toEqual({
      deployments: 1,
      statuses: 2,
      deliveries: 3,
    });
    const after = await request(server)
      .get(`${NIGHTLY_BASE}/timeline`)
      .set('Authorization', USER);
    expect(after.body.rows[0].cells.staging).toEqual(
      expect.objectContaining({
        deploymentId: 'jenkins:nightly-reports-812-staging',
        state: 'success',
        startedAt: '2025-01-31T13:58:10.000Z',
        durationSeconds: 230,
      }),
    );
  });

  it('maps the source environment names from config', async () => {
    const { server } = await start();
    const response = await push(
      server,
      event({ environment: 'prod', eventId: 'prod-1' }),
    );
    expect(response.status).toBe(202);
    expect(response.body.environment).toBe('production');
    const timeline = await request(server)
      .get(`${NIGHTLY_BASE}/timeline`)
      .set('Authorization', USER);
    expect(timeline.body.rows[0].cells.production.deploymentId).toBe(
      'jenkins:nightly-reports-812-staging',
    );
  });

  it('takes a bare component name and a version given as a plain SHA', async () => {
    const { server } = await start();
    const response = await push(
      server,
      event({ entity: 'nightly-reports', version: SHA_B.toUpperCase() }),
    );
    expect(response.status).toBe(202);
    expect(response.body.entityRef).toBe(NIGHTLY);
    const timeline = await request(server)
      .get(`${NIGHTLY_BASE}/timeline`)
      .set('Authorization', USER);
    expect(timeline.body.rows[0].version.sha).toBe(SHA_B);
  });

  it('records an event into an environment another provider owns as a link on its deployment', async () => {
    const { server, knex } = await start();
    const response = await push(
      server,
      event({ entity: PAYMENTS, deploymentId: 'pay-9', environment: 'dev' }),
    );
    expect(response.status).toBe(202);
    expect(response.body).toEqual(
      expect.objectContaining({ recordedAs: 'link', owner: 'test' }),
    );
    expect((await ledgerRows(knex, 'jenkins')).deployments).toBe(0);
    expect(
      await knex('deployment_links').where({ provider: 'jenkins' }),
    ).toHaveLength(1);

    // Production is the source's: a row of its own.
    const owned = await push(
      server,
      event({
        entity: PAYMENTS,
        deploymentId: 'pay-10',
        environment: 'production',
        eventId: 'pay-10',
      }),
    );
    expect(owned.body).toEqual(
      expect.objectContaining({ recordedAs: 'deployment', owner: 'jenkins' }),
    );
    const lanes = await request(server)
      .get(`${PAYMENTS_BASE}/environments`)
      .set('Authorization', USER);
    const production = lanes.body.environments.find(
      (e: { name: string }) => e.name === 'production',
    );
    expect(production.current).toEqual(
      expect.objectContaining({ id: 'jenkins:pay-10', provider: 'jenkins' }),
    );
  });

  it('refuses an artifact without a commit into an environment another provider owns, writing nothing', async () => {
    const { server, knex } = await start();
    const response = await push(
      server,
      event({
        entity: PAYMENTS,
        environment: 'dev',
        version: { artifact: { kind: 'image', id: 'sha256:abc' } },
      }),
    );
    expect(response.status).toBe(409);
    expect(response.body.error.message).toMatch(
      /test owns dev of component:default\/payments-api.*send version\.sha/,
    );
    expect(await ledgerRows(knex, 'jenkins')).toEqual({
      deployments: 0,
      statuses: 0,
      deliveries: 0,
    });
    expect(await knex('deployment_links')).toHaveLength(0);
  });

  it('stores an artifact-only event where the source owns the environment', async () => {
    const { server } = await start();
    const response = await push(
      server,
      event({ version: { artifact: { kind: 'image', id: 'sha256:abc' } } }),
    );
    expect(response.status).toBe(202);
    const timeline = await request(server)
      .get(`${NIGHTLY_BASE}/timeline`)
      .set('Authorization', USER);
    expect(timeline.body.rows[0].version).toEqual(
      expect.objectContaining({
        commitUnknown: true,
        artifact: { kind: 'image', id: 'sha256:abc' },
      }),
    );
  });

  describe('refusals, each writing nothing', () => {
    async function expectNothingWritten(knex: any) {
      for (const source of ['jenkins', 'gitlab']) {
        expect(await ledgerRows(knex, source)).toEqual({
          deployments: 0,
          statuses: 0,
          deliveries: 0,
        });
      }
      expect(await knex('deployment_links')).toHaveLength(0);
    }

    it('answers 401 without credentials and with a wrong token', async () => {
      const { server, knex } = await start();
      // The mock auth stands a request without a header in for a user;
      // externalAccess.test.ts sends none at all to the real auth services.
      const without = await push(
        server,
        event(),
        mockCredentials.none.header(),
      );
      expect(without.status).toBe(401);
      const wrong = await push(
        server,
        event(),
        mockCredentials.service.invalidHeader(),
      );
      expect(wrong.status).toBe(401);
      await expectNothingWritten(knex);
    });

    it('answers 403 to a user token', async () => {
      const { server, knex } = await start();
      const response = await push(server, event(), USER);
      expect(response.status).toBe(403);
      expect(response.body.error.message).toMatch(/does not allow 'user'/);
      await expectNothingWritten(knex);
    });

    it('answers 403 to a service that is not a push source, before reading the body', async () => {
      const { server, knex } = await start();
      const response = await request(server)
        .post(EVENTS)
        .set('Authorization', serviceToken('buildkite-ci'))
        .set('Content-Type', 'application/json')
        .send('{ not json');
      expect(response.status).toBe(403);
      expect(response.body.error.message).toBe(
        "The service 'buildkite-ci' is not a push source: add it to deployments.push.sources with its token's subject",
      );
      await expectNothingWritten(knex);
    });

    it.each([
      [
        { version: { sha: 'abc123' } },
        'version.sha must be the full commit SHA',
      ],
      [{ version: { tag: 'v1' } }, 'version.sha is required'],
      [{ state: 'done' }, 'state must be one of queued, in_progress'],
      [
        { environment: 'no spaces allowed' },
        'environment must be an environment name',
      ],
      [{ deploymentId: undefined }, 'deploymentId required'],
      [{ at: 'yesterday' }, 'at must be an ISO-8601 time'],
      [{ url: 'ftp://example.com/build' }, 'url must be an http or https URL'],
      [{ entity: 'component:' }, 'entity must be an entity reference'],
      [
        { enviroment: 'staging' },
        "unrecognized key(s) in object: 'enviroment'",
      ],
    ])('answers 400 to %j, naming the field', async (overrides, message) => {
      const { server, knex } = await start();
      const response = await push(server, event(overrides));
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain('Invalid push event: ');
      expect(response.body.error.message).toContain(message);
      await expectNothingWritten(knex);
    });

    it('answers 400 to a body that is not JSON, and 415 to one that is not sent as JSON', async () => {
      const { server, knex } = await start();
      const broken = await request(server)
        .post(EVENTS)
        .set('Authorization', JENKINS)
        .set('Content-Type', 'application/json')
        .send('{ "entity": ');
      expect(broken.status).toBe(400);
      expect(broken.body.error.message).toBe(
        'Invalid request body: it is not valid JSON',
      );
      const form = await request(server)
        .post(EVENTS)
        .set('Authorization', JENKINS)
        .type('form')
        .send({ entity: NIGHTLY });
      expect(form.status).toBe(415);
      await expectNothingWritten(knex);
    });

    it('answers 404 for an entity the catalog does not have', async () => {
      const { server, knex } = await start();
      const response = await push(
        server,
        event({ entity: 'component:default/nowhere' }),
      );
      expect(response.status).toBe(404);
      expect(response.body.error.message).toBe(
        "entity: no component:default/nowhere in the catalog (from 'component:default/nowhere')",
      );
      await expectNothingWritten(knex);
    });

    it('answers 403 for an entity that does not name the source', async () => {
      const { server, knex } = await start();
      const response = await push(
        server,
        event({ entity: 'component:default/docs-site' }),
      );
      expect(response.status).toBe(403);
      expect(response.body.error.message).toBe(
        "component:default/docs-site does not take deployments from push source 'jenkins': add the annotation stagecraft.io/push-source: jenkins to it",
      );
      const gitlabOnly = await push(
        server,
        event({ entity: PAYMENTS }),
        GITLAB,
      );
      expect(gitlabOnly.status).toBe(403);
      await expectNothingWritten(knex);
      expect(await knex('provider_targets')).toHaveLength(0);
    });

    it('answers 400 for an environment that is not on the promotion path', async () => {
      const { server, knex } = await start();
      const response = await push(server, event({ environment: 'qa' }));
      expect(response.status).toBe(400);
      expect(response.body.error.message).toBe(
        "environment 'qa' is not on the promotion path of component:default/nightly-reports (dev, staging, production)",
      );
      await expectNothingWritten(knex);
    });

    it('answers 401 at the webhook route, which takes no Backstage token', async () => {
      const { server, knex } = await start();
      const response = await request(server)
        .post('/api/deployments/webhooks/jenkins')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(event()));
      expect(response.status).toBe(401);
      expect(response.body.error.message).toBe(
        "Push source 'jenkins' takes events at POST /api/deployments/events with its Backstage token, not as webhooks",
      );
      await expectNothingWritten(knex);
    });
  });
});
