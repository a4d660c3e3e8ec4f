// GitHub and AWS (SNS) deliveries replayed, reordered and duplicated, and
// refused when forged, on two real demo backends (production mode, SQLite
// each) synced from the same sandbox. After the sync, the providers' APIs
// answer 503 (so only webhooks change the store); the sandbox's life moves on
// and its deliveries are captured. Backend A takes them once, in order;
// backend B shuffled, each one to three times, four at a time. Their final
// state (every entity's lanes and timeline, and the ledger's row counts) must
// be the same. Then forged, truncated, headless and oversized deliveries are
// refused by A and write nothing, while the genuine ones are still taken.
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
  sleep,
  sqliteDatabase,
  sqliteRowCounts,
  sqliteRows,
  startBackend,
  startFaultProxy,
  startRecorder,
  startSandbox,
} from './harness.mjs';

const SEED = runSeed();
const TICKS = Number(process.env.RELIABILITY_WEBHOOK_TICKS ?? 40);
const PORT_A = Number(process.env.RELIABILITY_PORT ?? 7307) + 1;
const PORT_B = PORT_A + 1;
const ENTITIES = [
  'payments-api',
  'ledger-worker',
  'storefront-web',
  'catalog-search',
  'checkout-bff',
  'python-service',
];
/** Ledger tables (what a delivery writes), compared between A and B. */
const LEDGER = [
  'deployments',
  'deployment_statuses',
  'versions',
  'provider_gates',
  'deployment_links',
  'environment_traffic',
];

let sandbox;
let proxy;
let github;
let sns;
let a;
let b;
const dirs = {};

before(async () => {
  console.log(`[webhooks] seed ${SEED}, ${TICKS} ticks of the sandbox`);
  github = await startRecorder();
  // The SNS subscription is confirmed by visiting its SubscribeURL, as the
  // backend would; notifications are kept for the test to deliver.
  sns = await startRecorder(async delivery => {
    const message = JSON.parse(delivery.body);
    if (message.Type !== 'SubscriptionConfirmation') return false;
    await fetch(message.SubscribeURL);
    return true;
  });
  sandbox = await startSandbox({
    seed: 42,
    webhookUrl: github.url,
    snsUrl: sns.url,
  });
  sandbox.sns.requestConfirmation();
  await sandbox.sns.flush();
  assert.equal(
    sandbox.sns.confirmed,
    true,
    'the SNS subscription is confirmed',
  );
  proxy = await startFaultProxy(sandbox.url);
  dirs.a = join(runDir(), 'webhooks-a-db');
  dirs.b = join(runDir(), 'webhooks-b-db');
  [a, b] = await Promise.all(
    [
      ['webhooks-a', PORT_A, dirs.a],
      ['webhooks-b', PORT_B, dirs.b],
    ].map(([name, port, dir]) =>
      startBackend({
        name,
        port,
        database: sqliteDatabase(dir),
        providerUrl: proxy.url,
        sandboxUrl: sandbox.url,
      }),
    ),
  );
});

after(async () => {
  for (const [name, dir] of Object.entries(dirs)) {
    try {
      keepAuditRows(
        `webhooks-${name}`,
        sqliteRows(deploymentsSqlite(dir), 'audit_log'),
      );
    } catch {
      // no database
    }
  }
  await Promise.all([a?.stop(), b?.stop()]);
  await proxy?.close();
  await sandbox?.close();
  await github?.close();
  await sns?.close();
});

/**
 * `traffic.at` is when the backend last observed the split (its own clock at
 * the sync), not a fact of the deployments: left out of the comparison.
 */
function withoutObservationTimes(value, key) {
  if (Array.isArray(value)) return value.map(v => withoutObservationTimes(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !(key === 'traffic' && k === 'at'))
        .map(([k, v]) => [k, withoutObservationTimes(v, k)]),
    );
  }
  return value;
}

/** What a user sees of every entity: lanes and timeline, without the sync's own bookkeeping. */
async function stateOf(backend) {
  const state = {};
  for (const name of ENTITIES) {
    const response = await call(
      `${backend.api}/entities/component/default/${name}/environments?include=timeline&timelineLimit=200`,
      { headers: { authorization: `Bearer ${backend.token}` } },
    );
    assert.equal(
      response.status,
      200,
      `${backend.name}: environments of ${name}`,
    );
    const { sync, ...rest } = response.json;
    const normalized = withoutObservationTimes(rest);
    state[name] = normalized;
  }
  return state;
}

const ledgerCounts = dir => {
  const counts = sqliteRowCounts(deploymentsSqlite(dir));
  return Object.fromEntries(LEDGER.map(t => [t, counts[t]]));
};

function deliver(backend, delivery) {
  return call(
    `${backend.api}/webhooks/${delivery.provider}`,
    { method: 'POST', headers: delivery.headers, body: delivery.body },
    `${backend.name} webhook ${delivery.provider}`,
  );
}

test('deliveries replayed, reordered and duplicated end in the in-order state, each stored once', async () => {
  // Both synced the same still world, then the providers go down: only webhooks move the store.
  for (const backend of [a, b]) {
    await eventually(
      `${backend.name}'s sync of ledger-worker (GitHub and AWS)`,
      async () => {
        const r = await call(
          `${backend.api}/entities/component/default/ledger-worker/environments`,
          {
            headers: { authorization: `Bearer ${backend.token}` },
          },
        );
        return r.status === 200 && r.json.environments.some(e => e.current);
      },
    );
  }
  await Promise.all([
    settledCounts(() => ledgerCounts(dirs.a)),
    settledCounts(() => ledgerCounts(dirs.b)),
  ]);
  // Both have read the whole still world when they show the same (a first sync may still be under way on one).
  await eventually(
    'A and B to show the same synced state',
    async () =>
      JSON.stringify(await stateOf(a)) === JSON.stringify(await stateOf(b)),
    180_000,
    5000,
  );
  proxy.modes.github = '5xx';
  proxy.modes.aws = '5xx';
  await sleep(12_000); // a sync that had started finishes (or fails) before the baseline
  const baseline = await stateOf(a);
  assert.deepEqual(
    await stateOf(b),
    baseline,
    'A and B hold the same state before the deliveries',
  );

  for (let i = 0; i < TICKS; i++) {
    sandbox.tick();
    sandbox.react();
  }
  await sandbox.webhooks.flush();
  await sandbox.sns.flush();
  const deliveries = [
    ...github.deliveries.map(d => ({
      ...d,
      provider: 'github',
      key: d.headers['x-github-delivery'],
    })),
    ...sns.deliveries.map(d => ({
      ...d,
      provider: 'aws',
      key: JSON.parse(d.body).MessageId,
    })),
  ];
  const counted = p => deliveries.filter(d => d.provider === p).length;
  console.log(
    `[webhooks] captured ${counted('github')} GitHub deliveries and ${counted(
      'aws',
    )} SNS notifications`,
  );
  assert.ok(counted('github') >= 10, 'the sandbox sent GitHub deliveries');
  assert.ok(counted('aws') >= 5, 'the sandbox sent SNS notifications');

  // A: once each, in the order sent (GitHub's and SNS's interleaved by their sending order is unknown: GitHub first).
  const inOrder = [];
  for (const d of deliveries) inOrder.push((await deliver(a, d)).status);
  assert.deepEqual(
    [...new Set(inOrder)],
    [202],
    'A accepts every delivery once',
  );

  // B: shuffled, each one to three times, four at a time.
  const r = prng(SEED);
  const replayed = r.shuffle(
    deliveries.flatMap(d => Array.from({ length: r.int(1, 3) }, () => d)),
  );
  const statuses = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < replayed.length) {
        const d = replayed[next++];
        const { status } = await deliver(b, d);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  console.log(
    `[webhooks] B got ${replayed.length} deliveries (${
      deliveries.length
    } distinct): ${JSON.stringify(statuses)}`,
  );
  assert.deepEqual(
    {
      accepted: statuses[202],
      duplicate: statuses[200] ?? 0,
      other: replayed.length - (statuses[202] ?? 0) - (statuses[200] ?? 0),
    },
    {
      accepted: deliveries.length,
      duplicate: replayed.length - deliveries.length,
      other: 0,
    },
    'B accepts each distinct delivery once and answers the copies as duplicates',
  );

  await sleep(3000); // background resyncs (they fail: providers down) finish
  const stateA = await stateOf(a);
  assert.notDeepEqual(stateA, baseline, 'the deliveries changed the state');
  assert.deepEqual(
    await stateOf(b),
    stateA,
    'reordered and duplicated deliveries end in the in-order state',
  );
  assert.deepEqual(
    ledgerCounts(dirs.b),
    ledgerCounts(dirs.a),
    'the same ledger rows in A and B (no duplicate rows)',
  );
  for (const dir of [dirs.a, dirs.b]) {
    assert.equal(
      sqliteRowCounts(deploymentsSqlite(dir)).webhook_deliveries,
      deliveries.length,
      'one delivery record per distinct delivery',
    );
  }
});

test('forged, truncated, headless and oversized deliveries are refused and write nothing; the genuine ones are taken', async () => {
  const secrets = runSecrets();
  github.deliveries.length = 0;
  sns.deliveries.length = 0;
  for (
    let i = 0;
    i < 20 && (github.deliveries.length === 0 || sns.deliveries.length === 0);
    i++
  ) {
    sandbox.tick();
    sandbox.react();
    await sandbox.webhooks.flush();
    await sandbox.sns.flush();
  }
  const gh = github.deliveries[0];
  const note = sns.deliveries[0];
  assert.ok(
    gh && note,
    'a fresh GitHub delivery and SNS notification to forge',
  );
  const body = gh.body;
  const headers = gh.headers;
  const without = name =>
    Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));
  const truncated = body.slice(0, Math.floor(body.length / 2));
  const huge = `${body.slice(0, -1)},"padding":"${'p'.repeat(
    5 * 1024 * 1024,
  )}"}`;
  const message = JSON.parse(note.body);
  const event = JSON.parse(message.Message);
  const snsBody = m => JSON.stringify(m);
  const cases = [
    [
      'github: signature of another secret',
      'github',
      {
        ...headers,
        'x-hub-signature-256': githubSignature('not-the-secret', body),
      },
      body,
    ],
    [
      'github: no X-Hub-Signature-256',
      'github',
      without('x-hub-signature-256'),
      body,
    ],
    [
      'github: only the SHA-1 signature',
      'github',
      {
        ...without('x-hub-signature-256'),
        'x-hub-signature': 'sha1=0000000000000000000000000000000000000000',
      },
      body,
    ],
    [
      'github: body changed after signing',
      'github',
      headers,
      body.replace(/"id":(\d)/, '"id":9$1'),
    ],
    [
      'github: truncated body, original signature',
      'github',
      headers,
      truncated,
    ],
    [
      'github: truncated body, signed (not JSON)',
      'github',
      {
        ...headers,
        'x-hub-signature-256': githubSignature(
          secrets.githubWebhookSecret,
          truncated,
        ),
      },
      truncated,
    ],
    ['github: no X-GitHub-Event', 'github', without('x-github-event'), body],
    [
      'github: no X-GitHub-Delivery',
      'github',
      without('x-github-delivery'),
      body,
    ],
    [
      'github: over 5 MB, signed',
      'github',
      {
        ...headers,
        'x-hub-signature-256': githubSignature(
          secrets.githubWebhookSecret,
          huge,
        ),
      },
      huge,
    ],
    [
      'github: empty body',
      'github',
      {
        ...headers,
        'x-hub-signature-256': githubSignature(secrets.githubWebhookSecret, ''),
      },
      '',
    ],
    [
      'sns: forged Message',
      'aws',
      note.headers,
      snsBody({
        ...message,
        Message: JSON.stringify({
          ...event,
          detail: { ...event.detail, forged: true },
        }),
      }),
    ],
    [
      'sns: forged Signature',
      'aws',
      note.headers,
      snsBody({
        ...message,
        Signature: Buffer.from('forged'.repeat(40)).toString('base64'),
      }),
    ],
    [
      'sns: no Signature',
      'aws',
      note.headers,
      snsBody({ ...message, Signature: undefined }),
    ],
    [
      'sns: certificate from an untrusted host',
      'aws',
      note.headers,
      snsBody({
        ...message,
        SigningCertURL: 'http://127.0.0.1:9/SimpleNotificationService-x.pem',
      }),
    ],
    [
      'sns: another topic',
      'aws',
      note.headers,
      snsBody({
        ...message,
        TopicArn: 'arn:aws:sns:eu-west-1:999999999999:elsewhere',
      }),
    ],
    [
      'sns: truncated',
      'aws',
      note.headers,
      note.body.slice(0, Math.floor(note.body.length / 2)),
    ],
    ['sns: no message type header or body', 'aws', {}, ''],
    [
      'sns: over 5 MB',
      'aws',
      note.headers,
      snsBody({ ...message, Padding: 'p'.repeat(5 * 1024 * 1024) }),
    ],
  ];
  const before = sqliteRowCounts(deploymentsSqlite(dirs.a));
  const answers = [];
  for (const [what, provider, h, b2] of cases) {
    const response = await deliver(a, { provider, headers: h, body: b2 });
    answers.push([what, response.status, response.json?.error?.name]);
  }
  console.log(
    `[webhooks] refusals: ${answers
      .map(([w, s, n]) => `${w} → ${s} ${n ?? ''}`)
      .join('; ')}`,
  );
  assert.deepEqual(
    answers.filter(([, status]) => !(status >= 400 && status < 500)),
    [],
    'every forged, truncated, headless or oversized delivery gets a 4xx',
  );
  const afterCounts = sqliteRowCounts(deploymentsSqlite(dirs.a));
  assert.deepEqual(afterCounts, before, 'refused deliveries write nothing');
  // The refusals used up neither delivery id: the genuine ones are taken now.
  assert.equal((await deliver(a, { ...gh, provider: 'github' })).status, 202);
  assert.equal((await deliver(a, { ...note, provider: 'aws' })).status, 202);
});

test('portal actions while the providers are down are answered and audited without a credential in them', async () => {
  // Runs after the deliveries: the providers still answer 503. The reviewer's
  // own provider token (X-Deployments-Provider-Token) is the GitHub token of
  // the run: it may reach the provider, never a log, a response or the audit.
  const secrets = runSecrets();
  const act = (entity, action, body, key) =>
    call(
      `${a.api}/entities/component/default/${entity}/${action}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${a.token}`,
          'content-type': 'application/json',
          'idempotency-key': key,
          'x-deployments-provider-token': secrets.githubToken,
        },
        body: JSON.stringify(body),
      },
      `${a.name} ${action} ${entity}`,
    );
  const lanes = (
    await call(
      `${a.api}/entities/component/default/payments-api/environments`,
      {
        headers: { authorization: `Bearer ${a.token}` },
      },
    )
  ).json.environments;
  const gate = lanes.flatMap(l => l.pendingGates)[0];
  const answers = [
    await act(
      'payments-api',
      'promote',
      { environment: 'staging', comment: `promote with ${'care'}` },
      `rel-promote-${SEED}`,
    ),
    await act(
      'payments-api',
      'rollback',
      { environment: 'dev', comment: 'roll back while GitHub is down' },
      `rel-rollback-${SEED}`,
    ),
    await act(
      'storefront-web',
      'promote',
      { environment: 'staging', comment: 'not my service' },
      `rel-notmine-${SEED}`,
    ),
    ...(gate
      ? [
          await act(
            'payments-api',
            'approve',
            { gateId: gate.id, comment: 'looks good' },
            `rel-approve-${SEED}`,
          ),
        ]
      : []),
  ];
  console.log(
    `[webhooks] actions: ${answers
      .map(
        x =>
          `${x.status} ${x.json?.error?.name ?? x.json?.request?.state ?? ''}`,
      )
      .join(', ')}`,
  );
  for (const answer of answers) {
    assert.ok(
      answer.status < 500 || answer.status === 502 || answer.status === 503,
      `no 500 (${answer.status} ${answer.text.slice(0, 200)})`,
    );
  }
  const audit = sqliteRows(deploymentsSqlite(dirs.a), 'audit_log');
  assert.ok(
    audit.length >= answers.length - 1,
    `the actions were audited (${audit.length} rows)`,
  );
});
