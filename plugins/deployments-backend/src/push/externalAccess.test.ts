/**
 * The push route behind Backstage's own auth services (not the mocks), with
 * static external access tokens as docs/providers/push.md configures them,
 * and the doc's own snippets (the example event, the curl, the GitLab job's
 * and the Jenkins step's scripts) run with bash and curl against it.
 */
import { execFile } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import {
  entities,
  EVENTS,
  ledgerRows,
  NIGHTLY_BASE,
  pushConfig,
  pushDoc,
  startPushBackend,
} from './__testUtils__/pushTestKit';

jest.setTimeout(60_000);

const run = promisify(execFile);

const JENKINS_TOKEN = 'test-jenkins-token-5d8f2a';
const GITLAB_TOKEN = 'test-gitlab-token-9c1e7b';
const UNLISTED_TOKEN = 'test-unlisted-token-3a6d0f';

/** The doc's externalAccess entries, one per source, and one for a service that is not a push source. */
const config = {
  ...pushConfig,
  backend: {
    auth: {
      externalAccess: [
        ['jenkins-ci', JENKINS_TOKEN],
        ['gitlab-ci', GITLAB_TOKEN],
        ['reporting-bot', UNLISTED_TOKEN],
      ].map(([subject, token]) => ({
        type: 'static',
        options: { token, subject },
        accessRestrictions: [{ plugin: 'deployments' }],
      })),
    },
  },
};

/**
 * The catalog of the test entities, reached the way the real catalog client
 * reaches the catalog: with a token that the auth service issues on behalf
 * of the caller, which it refuses for a token restricted to other plugins.
 */
const delegatingCatalog = createServiceFactory({
  service: catalogServiceRef,
  deps: { auth: coreServices.auth },
  factory: ({ auth }) => {
    const catalog = catalogServiceMock({ entities });
    return new Proxy(catalog, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: any[]) => {
          await auth.getPluginRequestToken({
            onBehalfOf: args[args.length - 1].credentials,
            targetPluginId: 'catalog',
          });
          return value.apply(target, args);
        };
      },
    });
  },
});

function start() {
  return startPushBackend({
    config,
    services: [authServiceFactory, httpAuthServiceFactory],
    catalog: delegatingCatalog,
  });
}

/** The fenced blocks of the doc, with the line before each (to find marked ones). */
function codeBlocks(
  doc: string,
): Array<{ lang: string; code: string; before: string }> {
  const blocks: Array<{ lang: string; code: string; before: string }> = [];
  const fence = /(^|\n)```(\w*)\n([\s\S]*?)\n```/g;
  for (let match = fence.exec(doc); match; match = fence.exec(doc)) {
    blocks.push({
      lang: match[2],
      code: match[3],
      before: doc.slice(Math.max(0, match.index - 200), match.index),
    });
  }
  return blocks;
}

const blocks = codeBlocks(pushDoc());

function block(
  predicate: (b: { lang: string; code: string; before: string }) => boolean,
) {
  const found = blocks.filter(predicate);
  expect(found).toHaveLength(1);
  return found[0].code;
}

/** Runs a shell script of the doc in a scratch folder with the given environment. */
async function bash(
  script: string,
  env: Record<string, string>,
  files: Record<string, string> = {},
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'push-doc-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, name), content);
    }
    return await run('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('push events with external access tokens', () => {
  it('accepts the static token of a push source and stores the event under the source', async () => {
    const { server, knex } = await start();
    const example = JSON.parse(
      block(b => b.lang === 'json' && b.before.includes('push-event-example')),
    );
    const response = await request(server)
      .post(EVENTS)
      .set('Authorization', `Bearer ${JENKINS_TOKEN}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(example));
    expect(response.status).toBe(202);
    expect(response.body.deploymentId).toBe(`jenkins:${example.deploymentId}`);
    expect((await ledgerRows(knex, 'jenkins')).deployments).toBe(1);
  });

  it('answers 401 without a token and with a token nobody configured, writing nothing', async () => {
    const { server, knex } = await start();
    const without = await request(server)
      .post(EVENTS)
      .set('Content-Type', 'application/json')
      .send('{}');
    expect(without.status).toBe(401);
    const wrong = await request(server)
      .post(EVENTS)
      .set('Authorization', 'Bearer not-a-configured-token')
      .set('Content-Type', 'application/json')
      .send('{}');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).not.toContain('not-a-configured-token');
    expect(await ledgerRows(knex, 'jenkins')).toEqual({
      deployments: 0,
      statuses: 0,
      deliveries: 0,
    });
  });

  it('answers 403 to a valid token whose subject is not a push source', async () => {
    const { server } = await start();
    const response = await request(server)
      .post(EVENTS)
      .set('Authorization', `Bearer ${UNLISTED_TOKEN}`)
      .set('Content-Type', 'application/json')
      .send('{}');
    expect(response.status).toBe(403);
    expect(response.body.error.message).toContain(
      "The service 'reporting-bot' is not a push source",
    );
  });

  it('does not let a push token read entities: the catalog is outside its access restrictions', async () => {
    const { server } = await start();
    const response = await request(server)
      .get(`${NIGHTLY_BASE}/environments`)
      .set('Authorization', `Bearer ${JENKINS_TOKEN}`);
    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(
      "Access to target plugin 'catalog' is not included in token's access restrictions",
    );
  });

  describe('the snippets of docs/providers/push.md', () => {
    function urlOf(server: { port(): number }) {
      return `http://localhost:${server.port()}${EVENTS}`;
    }

    it('runs the curl with the example event: accepted, then a duplicate', async () => {
      const { server, knex } = await start();
      const example = block(
        b => b.lang === 'json' && b.before.includes('push-event-example'),
      );
      const curl = block(
        b =>
          b.lang === 'sh' &&
          b.code.startsWith('curl ') &&
          b.code.includes('@event.json'),
      ).replace('http://localhost:7007/api/deployments/events', urlOf(server));
      const env = { STAGECRAFT_PUSH_TOKEN: JENKINS_TOKEN };
      const first = await bash(curl, env, { 'event.json': example });
      expect(JSON.parse(first.stdout)).toEqual(
        expect.objectContaining({
          status: 'accepted',
          recordedAs: 'deployment',
        }),
      );
      const again = await bash(curl, env, { 'event.json': example });
      expect(JSON.parse(again.stdout)).toEqual(
        expect.objectContaining({ status: 'duplicate' }),
      );
      expect(await ledgerRows(knex, 'jenkins')).toEqual({
        deployments: 1,
        statuses: 1,
        deliveries: 1,
      });
    });

    it("runs the GitLab job's event script at the start and the end of a deploy", async () => {
      const { server, knex } = await start();
      const yaml = block(
        b => b.lang === 'yaml' && b.code.includes('CI_JOB_STATUS'),
      );
      const anchored = yaml.match(
        /\.stagecraft-event: &stagecraft-event\n {2}- \|\n((?: {4}.*\n|\n)+?)\n\S/,
      );
      expect(anchored).not.toBeNull();
      const script = anchored![1].replace(/^ {4}/gm, '');
      const gitlab = {
        STAGECRAFT_EVENTS_URL: urlOf(server),
        STAGECRAFT_PUSH_TOKEN: GITLAB_TOKEN,
        CI_JOB_ID: '4711',
        CI_ENVIRONMENT_NAME: 'dev',
        CI_COMMIT_SHA: 'c'.repeat(40),
        GITLAB_USER_LOGIN: 'bob',
        CI_JOB_URL:
          'https://gitlab.example.com/acme/nightly-reports/-/jobs/4711',
      };
      for (const state of ['in_progress', 'success']) {
        const { stdout } = await bash(script, {
          ...gitlab,
          STAGECRAFT_STATE: state,
        });
        expect(stdout).not.toContain('Stagecraft did not take the event');
        expect(JSON.parse(stdout).status).toBe('accepted');
      }
      expect(await ledgerRows(knex, 'gitlab')).toEqual({
        deployments: 1,
        statuses: 2,
        deliveries: 2,
      });
      const [row] = await knex('deployments').where({ provider: 'gitlab' });
      expect(row).toEqual(
        expect.objectContaining({
          provider_deployment_id: 'gitlab-job-4711',
          environment: 'dev',
          state: 'success',
          triggered_by: 'bob',
        }),
      );
    });

    it("runs the Jenkins step's shell script as Groovy hands it to sh", async () => {
      const { server, knex } = await start();
      const groovy = block(b => b.lang === 'groovy');
      const quoted = groovy.match(/sh '''\n([\s\S]*?)'''/);
      expect(quoted).not.toBeNull();
      // In a Groovy ''' string a backslash before the newline joins the lines; nothing else changes.
      const script = quoted![1].replace(/\\\n/g, '');
      const jenkins = {
        STAGECRAFT_EVENTS_URL: urlOf(server),
        STAGECRAFT_PUSH_TOKEN: JENKINS_TOKEN,
        BUILD_TAG: 'jenkins-nightly-reports-812',
        DEPLOY_ENV: 'staging',
        GIT_COMMIT: 'd'.repeat(40),
        BUILD_URL: 'https://jenkins.example.com/job/nightly-reports/812/',
        BUILD_NUMBER: '812',
      };
      for (const state of ['in_progress', 'success']) {
        const { stdout } = await bash(script, {
          ...jenkins,
          STAGECRAFT_STATE: state,
        });
        expect(stdout).not.toContain('Stagecraft did not take the event');
        expect(JSON.parse(stdout)).toEqual(
          expect.objectContaining({
            status: 'accepted',
            deploymentId: 'jenkins:jenkins-nightly-reports-812-staging',
            environment: 'staging',
          }),
        );
      }
      expect(await ledgerRows(knex, 'jenkins')).toEqual({
        deployments: 1,
        statuses: 2,
        deliveries: 2,
      });
      const [row] = await knex('deployments').where({ provider: 'jenkins' });
      expect(row.state).toBe('success');
      expect(row.url_label).toBe('build #812');
    });
  });
});
