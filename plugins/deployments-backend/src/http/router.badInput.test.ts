import request from 'supertest';
import {
  databases,
  ALICE,
  BASE,
  S3,
  startDeployments,
  as,
  idempotencyKey,
} from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

/** A cursor of the wrong list: well-formed, but not a timeline position. */
const AUDIT_CURSOR = Buffer.from(
  JSON.stringify({ list: 'audit', position: { at: 1, id: 1 } }),
).toString('base64url');

interface BadInput {
  what: string;
  method?: 'get' | 'post';
  url: string;
  body?: string | object;
  headers?: Record<string, string>;
  status: number;
  /** Text the error message must contain: the field or value at fault. */
  names: string;
}

const badInputs: BadInput[] = [
  {
    what: 'an entity name with a space',
    url: '/api/deployments/entities/component/default/bad%20name/environments',
    status: 400,
    names: 'name',
  },
  {
    what: 'an entity kind with a $',
    url: '/api/deployments/entities/comp$nent/default/payments-api/timeline',
    status: 400,
    names: 'kind',
  },
  {
    what: 'a namespace of 64 characters',
    url: `/api/deployments/entities/component/${'n'.repeat(
      64,
    )}/payments-api/audit`,
    status: 400,
    names: 'namespace',
  },
  {
    what: 'an unknown query key on the lanes',
    url: `${BASE}/environments?colour=blue`,
    status: 400,
    names: 'colour',
  },
  {
    what: 'a zero limit',
    url: `${BASE}/timeline?limit=0`,
    status: 400,
    names: 'limit',
  },
  {
    what: 'a huge limit',
    url: `${BASE}/timeline?limit=100000`,
    status: 400,
    names: 'limit',
  },
  {
    what: 'a limit that is no number',
    url: `${BASE}/timeline?limit=ten`,
    status: 400,
    names: 'limit',
  },
  {
    what: 'a repeated limit',
    url: `${BASE}/timeline?limit=1&limit=2`,
    status: 400,
    names: 'limit',
  },
  {
    what: 'a malformed cursor',
    url: `${BASE}/timeline?cursor=not-a-cursor`,
    status: 400,
    names: 'cursor',
  },
  {
    what: 'a cursor of another list',
    url: `${BASE}/timeline?cursor=${AUDIT_CURSOR}`,
    status: 400,
    names: 'cursor',
  },
  {
    what: 'a word for a date',
    url: `${BASE}/timeline?since=yesterday`,
    status: 400,
    names: 'since',
  },
  {
    what: 'a date before year 1',
    url: `${BASE}/timeline?until=-010000-01-01T00:00:00Z`,
    status: 400,
    names: 'until',
  },
  {
    what: 'an environment off the path',
    url: `${BASE}/timeline?environment=qa`,
    status: 400,
    names: 'qa',
  },
  {
    what: 'a malformed environment',
    url: `${BASE}/timeline?environment=${encodeURIComponent('dev;drop')}`,
    status: 400,
    names: 'environment',
  },
  {
    what: 'an unknown timeline key',
    url: `${BASE}/timeline?colour=blue`,
    status: 400,
    names: 'colour',
  },
  {
    what: 'a diff without to',
    url: `${BASE}/diff?from=staging`,
    status: 400,
    names: 'to',
  },
  {
    what: 'a shell snippet as a version',
    url: `${BASE}/diff?from=staging&to=${encodeURIComponent('$(rm)')}`,
    status: 400,
    names: 'to',
  },
  {
    what: 'a version of 101 characters',
    url: `${BASE}/diff?from=${'a'.repeat(101)}&to=dev`,
    status: 400,
    names: 'from',
  },
  {
    what: 'an unknown version',
    url: `${BASE}/diff?from=staging&to=v9.9.9`,
    status: 400,
    names: "to 'v9.9.9'",
  },
  {
    what: 'an unknown diff key',
    url: `${BASE}/diff?from=staging&to=dev&colour=blue`,
    status: 400,
    names: 'colour',
  },
  {
    what: 'an unknown outcome',
    url: `${BASE}/audit?outcome=exploded`,
    status: 400,
    names: 'outcome',
  },
  {
    what: 'an unknown action',
    url: `${BASE}/audit?action=deploy`,
    status: 400,
    names: 'action',
  },
  {
    what: 'an unknown format',
    url: `${BASE}/audit?format=xml`,
    status: 400,
    names: 'format',
  },
  {
    what: 'an audit page over 500',
    url: `${BASE}/audit?limit=501`,
    status: 400,
    names: 'limit',
  },
  {
    what: 'a malformed audit cursor',
    url: `${BASE}/audit?cursor=${'x'.repeat(30)}`,
    status: 400,
    names: 'cursor',
  },
  {
    what: 'an audit date that is no date',
    url: `${BASE}/audit?since=2024-13-45`,
    status: 400,
    names: 'since',
  },
  {
    what: 'an actor with a NUL character',
    url: `${BASE}/audit?actor=a%00b`,
    status: 400,
    names: 'actor',
  },
  {
    what: 'an actor of 201 characters',
    url: `${BASE}/audit?actor=${'a'.repeat(201)}`,
    status: 400,
    names: 'actor',
  },
  {
    what: 'an unknown approvals key',
    url: '/api/deployments/approvals?colour=blue',
    status: 400,
    names: 'colour',
  },
  {
    what: 'an action body that is not JSON',
    method: 'post',
    url: `${BASE}/promote`,
    body: '{"environment": staging',
    headers: { 'Content-Type': 'application/json' },
    status: 400,
    names: 'JSON',
  },
  {
    what: 'an action body sent as text',
    method: 'post',
    url: `${BASE}/promote`,
    body: '{"environment":"staging"}',
    headers: { 'Content-Type': 'text/plain' },
    status: 415,
    names: 'text/plain',
  },
  {
    what: 'an action body that is a list',
    method: 'post',
    url: `${BASE}/promote`,
    body: [],
    status: 400,
    names: 'object',
  },
  {
    what: 'an oversized action body',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging', comment: 'x'.repeat(70_000) },
    status: 413,
    names: 'too large',
  },
  {
    what: 'an environment off the path',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'qa' },
    status: 400,
    names: "'qa'",
  },
  {
    what: 'an environment off the path for a roll back',
    method: 'post',
    url: `${BASE}/rollback`,
    body: { environment: 'qa' },
    status: 400,
    names: "'qa'",
  },
  {
    what: 'a malformed environment',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'prod uction' },
    status: 400,
    names: 'environment',
  },
  {
    what: 'an environment that is a number',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 3 },
    status: 400,
    names: 'environment',
  },
  {
    what: 'a malformed version',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging', version: '$(rm)' },
    status: 400,
    names: 'version',
  },
  {
    what: 'an unknown version',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging', version: 'v9.9.9' },
    status: 400,
    names: "'v9.9.9'",
  },
  {
    what: 'a roll back to a version that never ran there',
    method: 'post',
    url: `${BASE}/rollback`,
    body: { environment: 'staging', version: S3 },
    status: 400,
    names: S3,
  },
  {
    what: 'a comment over 2000 characters',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging', comment: 'x'.repeat(2001) },
    status: 400,
    names: 'comment',
  },
  {
    what: 'an unknown body key',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging', colour: 'blue' },
    status: 400,
    names: 'colour',
  },
  {
    what: 'an unknown query key on an action',
    method: 'post',
    url: `${BASE}/promote?dryRun=true`,
    body: { environment: 'staging' },
    status: 400,
    names: 'dryRun',
  },
  {
    what: 'a missing Idempotency-Key',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging' },
    headers: { 'Idempotency-Key': '' },
    status: 400,
    names: 'Idempotency-Key',
  },
  {
    what: 'a malformed Idempotency-Key',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging' },
    headers: { 'Idempotency-Key': 'key with spaces' },
    status: 400,
    names: 'Idempotency-Key',
  },
  {
    what: 'a decision without a gate',
    method: 'post',
    url: `${BASE}/approve`,
    body: { comment: 'lgtm' },
    status: 400,
    names: 'gateId',
  },
  {
    what: 'a decision without a comment',
    method: 'post',
    url: `${BASE}/reject`,
    body: { gateId: 'stagecraft:x' },
    status: 400,
    names: 'comment',
  },
  {
    what: 'an unknown portal gate',
    method: 'post',
    url: `${BASE}/approve`,
    body: {
      gateId: 'stagecraft:00000000-0000-0000-0000-000000000000',
      comment: 'lgtm',
    },
    status: 404,
    names: 'stagecraft:00000000',
  },
  {
    what: 'an unknown provider gate',
    method: 'post',
    url: `${BASE}/reject`,
    body: { gateId: 'test:run-1:production', comment: 'no' },
    status: 404,
    names: 'test:run-1:production',
  },
  {
    what: 'an abort without a deployment',
    method: 'post',
    url: `${BASE}/abort`,
    body: { environment: 'production', comment: 'stop' },
    status: 400,
    names: 'deploymentId',
  },
  {
    what: 'an abort without a comment',
    method: 'post',
    url: `${BASE}/abort`,
    body: { environment: 'production', deploymentId: 'test:1', comment: ' ' },
    status: 400,
    names: 'comment',
  },
  {
    what: 'an abort of a deployment id without its provider',
    method: 'post',
    url: `${BASE}/abort`,
    body: { environment: 'production', deploymentId: '812', comment: 'stop' },
    status: 400,
    names: 'deploymentId',
  },
  {
    what: 'an abort whose rollback is no boolean',
    method: 'post',
    url: `${BASE}/abort`,
    body: {
      environment: 'production',
      deploymentId: 'test:1',
      rollback: 'yes',
      comment: 'stop',
    },
    status: 400,
    names: 'rollback',
  },
  {
    what: 'an abort without an environment',
    method: 'post',
    url: `${BASE}/abort`,
    body: { deploymentId: 'test:1', comment: 'stop' },
    status: 400,
    names: 'environment',
  },
  {
    what: 'an unknown abort key',
    method: 'post',
    url: `${BASE}/abort`,
    body: {
      environment: 'production',
      deploymentId: 'test:1',
      comment: 'stop',
      force: true,
    },
    status: 400,
    names: 'force',
  },
  {
    what: 'an abort in an environment off the path',
    method: 'post',
    url: `${BASE}/abort`,
    body: { environment: 'qa', deploymentId: 'test:1', comment: 'stop' },
    status: 400,
    names: "'qa'",
  },
  {
    what: 'an abort of an unknown deployment',
    method: 'post',
    url: `${BASE}/abort`,
    body: {
      environment: 'production',
      deploymentId: 'test:nowhere',
      comment: 'stop',
    },
    status: 404,
    names: "'test:nowhere'",
  },
  {
    what: 'a webhook of an unknown provider',
    method: 'post',
    url: '/api/deployments/webhooks/gitlab',
    body: {},
    status: 404,
    names: 'gitlab',
  },
  {
    what: 'an unsigned webhook',
    method: 'post',
    url: '/api/deployments/webhooks/test',
    body: { deliveryId: 'd-1' },
    status: 401,
    names: 'signature',
  },
];

describe.each(databases.eachSupportedId())('bad input on %p', databaseId => {
  let started: Awaited<ReturnType<typeof startDeployments>>;
  beforeAll(async () => {
    started = await startDeployments({ databaseId });
  });

  /** Everything a request could write: the audit log, requests, idempotency keys. */
  async function written() {
    const { knex, provider } = started;
    const count = async (table: string) =>
      Number((await knex(table).count({ n: '*' }))[0].n);
    return {
      audit: await count('audit_log'),
      requests: await count('promotion_requests'),
      keys: await count('idempotency_keys'),
      deliveries: await count('webhook_deliveries'),
      providerCalls:
        provider.promoteCalls.length +
        provider.reviewCalls.length +
        provider.abortCalls.length,
    };
  }

  it.each(badInputs.map(input => [input.what, input] as const))(
    'answers %s with a 4xx that names it and writes nothing',
    async (_what, input) => {
      const before = await written();
      const call = request(started.server)
        [input.method ?? 'get'](input.url)
        .set(as(ALICE));
      if (input.method === 'post' && !input.url.includes('/webhooks/')) {
        call.set('Idempotency-Key', idempotencyKey());
      }
      for (const [name, value] of Object.entries(input.headers ?? {})) {
        call.set(name, value);
      }
      const response = await (input.body === undefined
        ? call
        : call.send(input.body as object));
      expect({
        status: response.status,
        message: response.body.error?.message,
      }).toEqual({
        status: input.status,
        message: expect.stringContaining(input.names),
      });
      expect(response.body.error.stack).toBeUndefined();
      expect(await written()).toEqual(before);
    },
  );
});
