// Malformed-input fuzz of every route of the deployments backend, on the real
// demo backend (production mode, SQLite) synced from the sandbox: every
// request carries at least one definite fault (path, query, auth, header,
// body, method, signature), so none may be taken. Asserts: no 5xx, no error
// body with a stack trace, and not one row more or less in any table of the
// deployments plugin's database. Seeded (RELIABILITY_SEED), bounded
// (RELIABILITY_FUZZ_REQUESTS, default 3000).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import {
  call,
  deploymentsSqlite,
  eventually,
  githubSignature,
  keepAuditRows,
  prng,
  runDir,
  runSecrets,
  runSeed,
  settledCounts,
  sqliteDatabase,
  sqliteRowCounts,
  sqliteRows,
  startBackend,
  startFaultProxy,
  startSandbox,
} from './harness.mjs';

const SEED = runSeed();
const REQUESTS = Number(process.env.RELIABILITY_FUZZ_REQUESTS ?? 3000);
const CONCURRENCY = 6;
const PORT = Number(process.env.RELIABILITY_PORT ?? 7307);

let sandbox;
let proxy;
let backend;
let dbDir;

before(async () => {
  console.log(
    `[fuzz] seed ${SEED} (RELIABILITY_SEED=${SEED} repeats this run)`,
  );
  sandbox = await startSandbox({ seed: 42 });
  proxy = await startFaultProxy(sandbox.url);
  dbDir = join(runDir(), 'fuzz-db');
  backend = await startBackend({
    name: 'fuzz',
    port: PORT,
    database: sqliteDatabase(dbDir),
    providerUrl: proxy.url,
    sandboxUrl: sandbox.url,
  });
});

after(async () => {
  try {
    if (dbDir)
      keepAuditRows('fuzz', sqliteRows(deploymentsSqlite(dbDir), 'audit_log'));
  } catch {
    // no database: nothing to keep
  }
  await backend?.stop();
  await proxy?.close();
  await sandbox?.close();
});

const ENV_PATH = ['dev', 'staging', 'production'];
const ENTITIES = [
  ['component', 'default', 'payments-api'], // guest owns it
  ['component', 'default', 'ledger-worker'], // GitHub and AWS
  ['component', 'default', 'storefront-web'], // guest does not own it
];
const ACTIONS = ['promote', 'rollback', 'approve', 'reject', 'abort'];

/** A segment that breaks the path rules (1–63 of letters, digits, . _ -). */
function badSegment(r) {
  return r.pick([
    '',
    'a'.repeat(64),
    'a'.repeat(r.int(100, 3000)),
    '%00',
    '..',
    '%2e%2e',
    'payments api',
    'payments%2Fapi',
    'é',
    '%F0%9F%9A%80',
    '%ZZ',
    "pay'ments",
    '<script>',
    encodeURIComponent(r.string(r.int(1, 20))),
    'no-such-entity-' + r.int(0, 1e6),
  ]);
}

function badAuth(r, secrets, token) {
  return r.pick([
    undefined,
    'Bearer',
    'Bearer ',
    `Bearer ${r.string(r.int(1, 80), 'abcdef0123456789.-_')}`,
    `Bearer ${token.slice(0, -5)}`,
    `Bearer ${token}x`,
    `Basic ${Buffer.from('guest:guest').toString('base64')}`,
    `bearer ${secrets.pushToken.slice(1)}`,
    `Bearer ${'x'.repeat(9000)}`,
    `Bearer eyJhbGciOiJub25lIn0.${Buffer.from(
      '{"sub":"user:default/guest"}',
    ).toString('base64url')}.`,
  ]);
}

/** A value for a query parameter that no route should take. */
function badValue(r) {
  return r.pick([
    '-1',
    '0',
    '1e309',
    'NaN',
    '9'.repeat(40),
    'abc',
    '',
    r.string(r.int(1, 40)),
    '99999-01-01T00:00:00Z',
    '0000-00-00',
    '2026-13-45T99:99:99Z',
    'x'.repeat(5000),
    '%',
    '\u0000',
  ]);
}

function queryString(pairs) {
  return pairs.length
    ? `?${pairs
        .map(([k, v]) =>
          typeof k === 'string' && k.includes('[')
            ? `${k}=${encodeURIComponent(v)}`
            : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`,
        )
        .join('&')}`
    : '';
}

const READ_PARAMS = {
  environments: ['include', 'timelineLimit'],
  timeline: ['limit', 'cursor', 'environment', 'since', 'until', 'outcome'],
  diff: ['from', 'to'],
  audit: [
    'limit',
    'cursor',
    'environment',
    'action',
    'outcome',
    'actor',
    'since',
    'until',
    'format',
  ],
};

/** Each generator returns { route, method, path, headers, body, faults } with at least one definite fault. */
function makeCase(r, ctx) {
  const { secrets, token } = ctx;
  const kind = r.pick([
    'read',
    'read',
    'read',
    'action',
    'action',
    'action',
    'action',
    'webhook-github',
    'webhook-github',
    'webhook-aws',
    'webhook-other',
    'events',
    'events',
    'approvals',
    'freezes',
    'method',
    'health',
  ]);
  const user = { authorization: `Bearer ${token}` };
  const entity = [...r.pick(ENTITIES)];

  if (kind === 'health') {
    // Read-only: whatever comes with it, it must answer 200 and write nothing.
    return {
      route: 'GET /health',
      method: 'GET',
      path: `/health${queryString([[r.string(5), badValue(r)]])}`,
      headers: r.chance(0.5)
        ? { authorization: badAuth(r, secrets, token) ?? '' }
        : {},
      faults: ['noise'],
    };
  }

  if (kind === 'read') {
    const read = r.pick(Object.keys(READ_PARAMS));
    const faults = [];
    const query = [];
    let headers = { ...user };
    const fault = r.pick([
      'path',
      'query-unknown',
      'query-value',
      'auth',
      'query-array',
    ]);
    if (fault === 'path') {
      entity[r.int(0, 2)] = badSegment(r);
      faults.push('path');
    } else if (fault === 'query-unknown') {
      query.push([
        r.pick([
          'zz',
          'LIMIT',
          'include ',
          'limit\u0000',
          r.string(6, 'abcxyz'),
        ]),
        badValue(r),
      ]);
      faults.push('unknown query parameter');
    } else if (fault === 'query-value') {
      const param = r.pick(READ_PARAMS[read]);
      // An empty value reads as the default (documented leniency): not a fault.
      // `actor` is free text (an exact match): only a too long value or a
      // control character is wrong there.
      // The audit log's `environment` filter takes any environment name (the
      // log keeps environments that have left the path): only a value that is
      // not a name (letters, digits, . _ -, at most 63) is wrong there; the
      // timeline refuses any environment not on the entity's path.
      let value;
      if (param === 'actor') {
        value = r.pick(['x'.repeat(5000), '\u0000', 'a\u001fb']);
      } else if (read === 'audit' && param === 'environment') {
        value = r.pick(['%', '\u0000', 'a b', '-dev', 'x'.repeat(64), '../x']);
      } else {
        value = badValue(r) || 'x'.repeat(3);
      }
      query.push([param, value]);
      if (read === 'diff')
        query.push([
          param === 'from' ? 'to' : 'from',
          r.pick(['staging', 'v1.0.0', badValue(r)]),
        ]);
      faults.push(`bad ${param}`);
    } else if (fault === 'query-array') {
      const param = r.pick(READ_PARAMS[read]);
      query.push([`${param}[a]`, 'b'], [`${param}[]`, '1']);
      faults.push(`${param} as object`);
    } else {
      const auth = badAuth(r, secrets, token);
      headers = auth === undefined ? {} : { authorization: auth };
      faults.push('auth');
    }
    // Noise on top: more parameters, sometimes valid ones.
    for (let i = r.int(0, 3); i > 0; i--) {
      const param = r.pick(READ_PARAMS[read]);
      query.push([
        param,
        r.pick([
          badValue(r),
          '10',
          'staging',
          'permissions,timeline',
          '2026-01-01T00:00:00Z',
          'csv',
        ]),
      ]);
    }
    if (read === 'diff' && fault === 'auth' && query.length === 0)
      query.push(['from', 'dev']);
    return {
      route: `GET /entities/…/${read}`,
      method: 'GET',
      path: `/entities/${entity.join('/')}/${read}${queryString(query)}`,
      headers,
      faults,
    };
  }

  if (kind === 'action') {
    const action = r.pick(ACTIONS);
    const faults = [];
    let headers = {
      ...user,
      'content-type': 'application/json',
      'idempotency-key': `fuzz-${SEED}-${r.int(0, 1e9)}`,
    };
    const validBody = {
      promote: {
        environment: r.pick(ENV_PATH),
        version: r.pick(['v1.0.0', 'abcdef1', undefined]),
        comment: 'fuzz',
      },
      rollback: { environment: r.pick(ENV_PATH), comment: 'fuzz' },
      approve: {
        gateId: `github:run-${r.int(1, 999)}:production`,
        comment: 'fuzz',
      },
      reject: { gateId: `stagecraft:${r.int(1, 999)}`, comment: 'fuzz' },
      abort: {
        environment: r.pick(ENV_PATH),
        deploymentId: `github:${r.int(1, 9999)}`,
        comment: 'fuzz',
      },
    }[action];
    let body = JSON.stringify(validBody);
    let path = `/entities/${entity.join('/')}/${action}`;
    const fault = r.pick([
      'no-key',
      'bad-key',
      'content-type',
      'not-json',
      'truncated',
      'not-object',
      'missing-field',
      'wrong-type',
      'unknown-field',
      'long-comment',
      'too-large',
      'off-path',
      'query',
      'auth',
      'service',
      'path',
      'charset',
    ]);
    faults.push(fault);
    const mutate = () => ({ ...validBody });
    switch (fault) {
      case 'no-key':
        delete headers['idempotency-key'];
        break;
      case 'bad-key':
        headers['idempotency-key'] = r.pick([
          'short',
          'x'.repeat(201),
          'key with spaces',
          'k\u00e9y-\u00e9\u00e9\u00e9-\u00e9\u00e9\u00e9',
          '',
          'a/b/c/d/e/f/g/h',
        ]);
        break;
      case 'content-type':
        headers['content-type'] = r.pick([
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          '',
        ]);
        if (headers['content-type'] === '') delete headers['content-type'];
        break;
      case 'charset':
        headers['content-type'] = r.pick([
          'application/json; charset=latin1',
          'application/json; charset=utf-16',
        ]);
        headers['content-encoding'] = r.pick([
          undefined,
          'gzip',
          'br',
          'x-zip',
        ]);
        if (!headers['content-encoding']) delete headers['content-encoding'];
        break;
      case 'not-json':
        body = r.pick([
          '{',
          'nul',
          '[1,2',
          '{"environment":}',
          r.string(r.int(1, 200)),
          "{'a':1}",
        ]);
        break;
      case 'truncated':
        body = body.slice(0, r.int(1, body.length - 1));
        break;
      case 'not-object':
        body = r.pick([
          '[]',
          '"promote"',
          '42',
          'null',
          'true',
          '[{"environment":"dev"}]',
        ]);
        break;
      case 'missing-field': {
        const b = mutate();
        delete b[
          action === 'approve' || action === 'reject' ? 'gateId' : 'environment'
        ];
        if (action === 'approve' || action === 'reject') {
          if (r.chance(0.5)) delete b.comment;
        }
        body = JSON.stringify(b);
        break;
      }
      case 'wrong-type': {
        const b = mutate();
        const key = r.pick(Object.keys(b).filter(k => b[k] !== undefined));
        b[key] = r.pick([42, true, null, [], { $ne: 1 }, ['dev']]);
        body = JSON.stringify(b);
        break;
      }
      case 'unknown-field':
        body = JSON.stringify({
          ...mutate(),
          [r.pick([
            '__proto__x',
            'constructor',
            'force',
            'env',
            'skipPolicy',
          ])]: true,
        });
        break;
      case 'long-comment':
        body = JSON.stringify({
          ...mutate(),
          comment: 'c'.repeat(r.int(2001, 20_000)),
        });
        break;
      case 'too-large':
        body = JSON.stringify({ ...mutate(), comment: 'c'.repeat(70_000) });
        break;
      case 'off-path':
        body = JSON.stringify(
          action === 'approve' || action === 'reject'
            ? {
                ...mutate(),
                gateId: r.pick([
                  '',
                  'x',
                  'github:',
                  'stagecraft:',
                  '../../etc',
                  'x'.repeat(5000),
                ]),
              }
            : {
                ...mutate(),
                environment: r.pick([
                  'qa',
                  'Production',
                  'prod',
                  '',
                  'dev ',
                  'x'.repeat(300),
                ]),
              },
        );
        break;
      case 'query':
        path += `?${r.pick([
          'dryRun=1',
          'force=true',
          'environment=dev',
          r.string(4, 'abc') + '=1',
        ])}`;
        break;
      case 'auth': {
        const auth = badAuth(r, secrets, token);
        if (auth === undefined) delete headers.authorization;
        else headers.authorization = auth;
        break;
      }
      case 'service':
        headers.authorization = `Bearer ${r.pick([
          secrets.serviceToken,
          secrets.pushToken,
        ])}`;
        break;
      case 'path':
        entity[r.int(0, 2)] = badSegment(r);
        path = `/entities/${entity.join('/')}/${action}`;
        break;
    }
    return {
      route: `POST /entities/…/${action}`,
      method: 'POST',
      path,
      headers,
      body,
      faults,
    };
  }

  if (kind === 'webhook-github') {
    const payload = JSON.stringify({
      action: r.pick(['created', 'completed', 'requested']),
      deployment: {
        id: r.int(1, 1e6),
        environment: r.pick(ENV_PATH),
        sha: 'a'.repeat(40),
        ref: 'main',
      },
      deployment_status: {
        id: r.int(1, 1e6),
        state: r.pick(['success', 'failure', 'in_progress']),
      },
      repository: { full_name: 'acme/payments-api', id: 1 },
    });
    let body = payload;
    const headers = {
      'content-type': 'application/json',
      'x-github-event': r.pick([
        'deployment',
        'deployment_status',
        'workflow_run',
        'ping',
        'push',
        r.string(5),
      ]),
      'x-github-delivery': `fuzz-${r.int(0, 1e9)}`,
      'x-hub-signature-256': githubSignature(
        secrets.githubWebhookSecret,
        payload,
      ),
    };
    const fault = r.pick([
      'no-signature',
      'wrong-secret',
      'sha1-only',
      'flipped',
      'truncated',
      'garbage-signature',
      'oversized',
    ]);
    switch (fault) {
      case 'no-signature':
        delete headers['x-hub-signature-256'];
        break;
      case 'wrong-secret':
        headers['x-hub-signature-256'] = githubSignature(
          `${secrets.githubWebhookSecret}x`,
          payload,
        );
        break;
      case 'sha1-only':
        delete headers['x-hub-signature-256'];
        headers['x-hub-signature'] = `sha1=${'0'.repeat(40)}`;
        break;
      case 'flipped':
        body = payload.replace('acme/payments-api', 'acme/payments-apj');
        break;
      case 'truncated':
        body = payload.slice(0, r.int(0, payload.length - 1));
        break;
      case 'garbage-signature':
        headers['x-hub-signature-256'] = r.pick([
          'sha256=',
          'sha256=zz',
          'md5=abc',
          r.string(30),
          `sha256=${'f'.repeat(64)}`,
          `sha256=${'f'.repeat(63)}`,
        ]);
        break;
      case 'oversized':
        // Rarely, and the body cap (5 MB) is what refuses it.
        body = r.chance(0.15)
          ? 'x'.repeat(5 * 1024 * 1024 + 10)
          : payload.replace('"main"', `"${'m'.repeat(100)}"`);
        break;
    }
    if (r.chance(0.2)) delete headers['x-github-event'];
    if (r.chance(0.2)) delete headers['x-github-delivery'];
    return {
      route: 'POST /webhooks/github',
      method: 'POST',
      path: '/webhooks/github',
      headers,
      body,
      faults: [fault],
    };
  }

  if (kind === 'webhook-aws') {
    const message = {
      Type: r.pick([
        'Notification',
        'SubscriptionConfirmation',
        'UnsubscribeConfirmation',
        'Bogus',
      ]),
      MessageId: `fuzz-${r.int(0, 1e9)}`,
      TopicArn: r.pick([
        'arn:aws:sns:eu-west-1:123456789012:stagecraft-deployment-events',
        'arn:aws:sns:us-east-1:999999999999:other',
      ]),
      Message: JSON.stringify({
        source: 'aws.codepipeline',
        detail: { state: 'SUCCEEDED' },
      }),
      Timestamp: new Date().toISOString(),
      SignatureVersion: r.pick(['1', '2', '3', undefined]),
      Signature: Buffer.from(r.string(64, 'abcdef')).toString('base64'),
      SigningCertURL: r.pick([
        `${sandbox.url}/aws/sns/SimpleNotificationService-sandbox.pem`,
        'https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem',
        'http://127.0.0.1:9/cert.pem',
        'file:///etc/passwd',
        'not a url',
      ]),
      SubscribeURL: r.pick([
        `${sandbox.url}/aws/sns?Action=ConfirmSubscription`,
        'http://127.0.0.1:9/',
        undefined,
      ]),
      Token: 'fuzz',
    };
    let body = JSON.stringify(message);
    const fault = r.pick([
      'forged',
      'truncated',
      'not-json',
      'missing-fields',
      'oversized',
    ]);
    if (fault === 'truncated') body = body.slice(0, r.int(0, body.length - 1));
    if (fault === 'not-json') body = r.string(r.int(0, 300));
    if (fault === 'missing-fields') {
      const m = { ...message };
      for (const k of r.shuffle(Object.keys(m)).slice(0, r.int(1, 5)))
        delete m[k];
      body = JSON.stringify(m);
    }
    if (fault === 'oversized' && r.chance(0.15))
      body = 'x'.repeat(5 * 1024 * 1024 + 10);
    const headers = {
      'content-type': r.pick([
        'text/plain; charset=UTF-8',
        'application/json',
        'application/octet-stream',
      ]),
      'x-amz-sns-message-type': r.pick([
        message.Type,
        'Notification',
        undefined,
      ]),
      'x-amz-sns-message-id': message.MessageId,
      'x-amz-sns-topic-arn': message.TopicArn,
    };
    if (!headers['x-amz-sns-message-type'])
      delete headers['x-amz-sns-message-type'];
    return {
      route: 'POST /webhooks/aws',
      method: 'POST',
      path: '/webhooks/aws',
      headers,
      body,
      faults: [fault],
    };
  }

  if (kind === 'webhook-other') {
    return {
      route: 'POST /webhooks/:unknown',
      method: 'POST',
      path: `/webhooks/${r.pick([
        'gitlab',
        'jenkins',
        'stagecraft',
        'GITHUB',
        '%00',
        'a'.repeat(300),
        encodeURIComponent(r.string(8)),
      ])}`,
      headers: { 'content-type': 'application/json' },
      body: r.string(r.int(0, 200)),
      faults: ['unknown provider'],
    };
  }

  if (kind === 'events') {
    const event = {
      entity: r.pick([
        'component:default/payments-api',
        'payments-api',
        'storefront-web',
      ]),
      deploymentId: `fuzz-${r.int(0, 1e6)}`,
      environment: r.pick(ENV_PATH),
      version: 'a'.repeat(40),
      state: r.pick(['success', 'in_progress', 'failure']),
    };
    let headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${secrets.pushToken}`,
    };
    let body;
    const fault = r.pick([
      'no-token',
      'bad-token',
      'user-token',
      'service-token',
      'missing',
      'bad-sha',
      'bad-state',
      'bad-time',
      'unknown-field',
      'not-json',
      'bad-url',
      'control-chars',
      'too-large',
    ]);
    const e = { ...event };
    switch (fault) {
      case 'no-token':
        delete headers.authorization;
        break;
      case 'bad-token':
        headers.authorization = badAuth(r, secrets, token) ?? 'Bearer nope';
        break;
      case 'user-token':
        headers.authorization = `Bearer ${token}`;
        break;
      case 'service-token':
        headers.authorization = `Bearer ${secrets.serviceToken}`;
        break;
      case 'missing':
        delete e[
          r.pick(['entity', 'deploymentId', 'environment', 'version', 'state'])
        ];
        break;
      case 'bad-sha':
        e.version = r.pick([
          'abc',
          'g'.repeat(40),
          'a'.repeat(39),
          { tag: 'v1' },
          42,
        ]);
        break;
      case 'bad-state':
        e.state = r.pick(['done', 'SUCCESS', '', null]);
        break;
      case 'bad-time':
        e.at = r.pick([
          'yesterday',
          '2026-01-01',
          '2026-01-01T00:00:00',
          '+275760-09-13T00:00:00.001Z',
        ]);
        break;
      case 'unknown-field':
        e[r.pick(['provider', 'id', 'x'])] = 'y';
        break;
      case 'bad-url':
        e.url = r.pick([
          'javascript:alert(1)',
          'ftp://x',
          'not a url',
          `https://${'x'.repeat(2100)}.example`,
        ]);
        break;
      case 'control-chars':
        e.deploymentId = `a\u0000b\u001f`;
        break;
      case 'too-large':
        e.description = 'd'.repeat(70_000);
        break;
    }
    body =
      fault === 'not-json'
        ? r.pick(['{', 'entity=payments-api', ''])
        : JSON.stringify(e);
    if (fault === 'bad-token' && headers.authorization === undefined)
      headers = { 'content-type': 'application/json' };
    return {
      route: 'POST /events',
      method: 'POST',
      path: '/events',
      headers,
      body,
      faults: [fault],
    };
  }

  if (kind === 'approvals') {
    const fault = r.pick(['query', 'auth', 'service']);
    return {
      route: 'GET /approvals',
      method: 'GET',
      path: `/approvals${
        fault === 'query'
          ? queryString([[r.pick(['entity', 'limit', 'x']), badValue(r)]])
          : ''
      }`,
      headers:
        fault === 'auth'
          ? (a => (a === undefined ? {} : { authorization: a }))(
              badAuth(r, secrets, token),
            )
          : fault === 'service'
          ? { authorization: `Bearer ${secrets.serviceToken}` }
          : user,
      faults: [fault],
    };
  }

  if (kind === 'freezes') {
    const fault = r.pick([
      'unknown',
      'entity',
      'from-only',
      'range',
      'dates',
      'auth',
    ]);
    const q = {
      unknown: [[r.pick(['environment', 'x', 'zone']), 'production']],
      entity: [
        [
          'entity',
          r.pick([
            'component:default/' + 'a'.repeat(70),
            'kind:/',
            ':::',
            '',
            'component:default/no-such-entity',
            r.string(10),
          ]),
        ],
      ],
      'from-only': [[r.pick(['from', 'to']), '2026-01-01T00:00:00Z']],
      range: [
        ['from', '2020-01-01T00:00:00Z'],
        ['to', '2029-01-01T00:00:00Z'],
      ],
      dates: [
        ['from', badValue(r)],
        ['to', badValue(r)],
      ],
      auth: [],
    }[fault];
    const auth =
      fault === 'auth' ? badAuth(r, secrets, token) : `Bearer ${token}`;
    return {
      route: 'GET /freezes',
      method: 'GET',
      path: `/freezes${queryString(q)}`,
      headers: auth === undefined ? {} : { authorization: auth },
      faults: [fault],
    };
  }

  // Methods no route takes.
  const method = r.pick(['PUT', 'DELETE', 'PATCH']);
  const path = r.pick([
    `/entities/${entity.join('/')}/promote`,
    `/entities/${entity.join('/')}/environments`,
    '/webhooks/github',
    '/events',
    '/approvals',
    '/health',
  ]);
  return {
    route: `${method} (no such route)`,
    method,
    path,
    headers: { ...user, 'content-type': 'application/json' },
    body: '{}',
    faults: ['method'],
  };
}

/** Header values as HTTP can carry them (fetch refuses control characters and code points over 255). */
function sendable(headers) {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [
      k,
      String(v)
        .replace(/[^\t\x20-\x7e\x80-\xff]/g, '?')
        .trim(),
    ]),
  );
}

const STACK = /\n\s+at [^\n]+\(|"stack"\s*:|at Layer\.handle|node_modules\//;

test('malformed requests to every route: no 5xx, no stack trace, nothing written', async () => {
  const secrets = runSecrets();
  const file = deploymentsSqlite(dbDir);
  // The sync reads the sandbox's (still) world: wait for its data, then until it writes nothing more.
  await eventually("the sync to store payments-api's deployments", async () => {
    const lanes = await call(
      `${backend.api}/entities/component/default/payments-api/environments`,
      {
        headers: { authorization: `Bearer ${backend.token}` },
      },
    );
    return lanes.status === 200 && lanes.json.environments.some(e => e.current);
  });
  await settledCounts(() => sqliteRowCounts(file));
  const before = sqliteRowCounts(file);
  const nonEmpty = Object.entries(before)
    .filter(([, n]) => n > 0)
    .map(([t]) => t);
  console.log(`[fuzz] tables with rows before: ${nonEmpty.join(', ')}`);

  const r = prng(SEED);
  const cases = Array.from({ length: REQUESTS }, () =>
    makeCase(r, { secrets, token: backend.token }),
  );
  const byRoute = new Map();
  const failures = [];
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const index = next++;
      const c = cases[index];
      let status;
      let text = '';
      try {
        const response = await call(
          `${backend.api}${c.path}`,
          { method: c.method, headers: sendable(c.headers), body: c.body },
          `fuzz #${index} ${c.method} ${c.path.slice(0, 120)}`,
        );
        status = response.status;
        text = response.text;
      } catch (error) {
        status = `error: ${error.cause?.code ?? error.message}`;
      }
      const stats = byRoute.get(c.route) ?? {};
      stats[status] = (stats[status] ?? 0) + 1;
      byRoute.set(c.route, stats);
      const bad =
        typeof status !== 'number' ||
        status >= 500 ||
        STACK.test(text) ||
        (status < 400 && c.faults[0] !== 'noise');
      if (bad) {
        failures.push({
          index,
          route: c.route,
          faults: c.faults,
          method: c.method,
          path: c.path.slice(0, 300),
          headers: Object.fromEntries(
            Object.entries(c.headers).map(([k, v]) => [
              k,
              String(v).slice(0, 80),
            ]),
          ),
          body: c.body?.slice(0, 300),
          status,
          response: text.slice(0, 400),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `[fuzz] ${cases.length} requests in ${seconds.toFixed(1)} s (${(
      cases.length / seconds
    ).toFixed(0)}/s)`,
  );
  for (const [route, stats] of [...byRoute].sort()) {
    console.log(`[fuzz]   ${route.padEnd(34)} ${JSON.stringify(stats)}`);
  }
  const afterCounts = sqliteRowCounts(file);
  const changed = Object.keys({ ...before, ...afterCounts }).filter(
    t => before[t] !== afterCounts[t],
  );
  assert.deepEqual(
    failures.slice(0, 10),
    [],
    `${failures.length} of ${cases.length} fuzz requests were taken, answered 5xx or carried a stack trace (first 10 shown; seed ${SEED})`,
  );
  assert.deepEqual(
    changed.map(t => `${t}: ${before[t]} → ${afterCounts[t]}`),
    [],
    `rows written by malformed requests (seed ${SEED})`,
  );
});
