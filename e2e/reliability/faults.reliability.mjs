// The provider fault matrix, on the real demo backend (production mode,
// SQLite) polling the sandbox every 2 s through the fault proxy: for each
// fault of each provider (5xx, no answer, throttling, a malformed body,
// revoked or refused credentials), after a good sync the sandbox's world
// moves on while the provider is faulted. The faulted polls must keep the
// last state (the environments API shows the same lanes and timeline),
// report every target stale with a reason that names the fault and carries
// no secret; the first poll after the fault is removed brings the new world
// in and every target is fresh again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import {
  catalogOf,
  entityState,
  eventually,
  keepAuditRows,
  deploymentsSqlite,
  runDir,
  runSecrets,
  sqliteDatabase,
  sqliteRows,
  startBackend,
  startFaultProxy,
  startSandbox,
  syncTask,
} from './harness.mjs';

const PORT = Number(process.env.RELIABILITY_PORT ?? 7307) + 3;
/** payments-api: GitHub; ledger-worker: GitHub (its changes) and AWS CodePipeline (its deployments). */
const ENTITIES = ['payments-api', 'ledger-worker'];
const TARGETS = [
  ['payments-api', 'github', 'acme/payments-api'],
  ['ledger-worker', 'github', 'acme/ledger-worker'],
  [
    'ledger-worker',
    'aws',
    'arn:aws:codepipeline:eu-west-1:123456789012:ledger-worker',
  ],
];
/**
 * [GitHub's fault, AWS's fault, what each sync error must say, and which
 * requests the faults apply to (absent: all)]. Every mode of the proxy is
 * applied to each provider once, and 5xx once more to some calls only.
 */
const MATRIX = [
  ['5xx', '5xx', /GitHub failed \(503/, /AWS is unavailable/],
  [
    'timeout',
    'timeout',
    /GitHub had not answered when the sync was stopped/,
    /abort/i,
  ],
  [
    'throttle',
    'throttle',
    /GitHub rate limit exhausted until/,
    /Throttl|rate/i,
  ],
  [
    'throttle-429',
    'denied',
    /GitHub rate limit exhausted until/,
    /AccessDenied|not authorized|denied/i,
  ],
  ['malformed', 'malformed', /malformed|JSON|Unexpected/i, /./],
  [
    'revoked',
    'revoked',
    /GitHub rejected the credentials \(401/,
    /ExpiredToken|expired/i,
  ],
  // A fault on some calls of a sync only: GitHub lists the deployments but
  // fails their statuses; CodePipeline answers the pipeline's state and
  // executions but fails their actions. Nothing of the half-read sync may land.
  [
    '5xx',
    '5xx',
    /GitHub failed \(503/,
    /AWS is unavailable/,
    {
      github: req => /\/deployments\/\d+\/statuses/.test(req.url),
      aws: req =>
        String(req.headers['x-amz-target'] ?? '').endsWith(
          '.ListActionExecutions',
        ),
    },
  ],
];

let sandbox;
let proxy;
let backend;
let dbDir;

before(async () => {
  // Three weeks of history: the first sync backfills it in a few seconds.
  sandbox = await startSandbox({ seed: 42, historyDays: 21 });
  proxy = await startFaultProxy(sandbox.url);
  dbDir = join(runDir(), 'faults-db');
  backend = await startBackend({
    name: 'faults',
    port: PORT,
    database: sqliteDatabase(dbDir),
    providerUrl: proxy.url,
    sandboxUrl: sandbox.url,
    catalogFile: catalogOf('faults', ENTITIES),
    // Polls every 2 s; a run that hangs is cut by the scheduler after 18 s
    // (GitHub's own retries of a 5xx take ~15 s).
    schedule: {
      frequency: 'PT2S',
      timeout: 'PT18S',
      initialDelay: 'PT1S',
    },
  });
});

after(async () => {
  try {
    if (dbDir)
      keepAuditRows(
        'faults',
        sqliteRows(deploymentsSqlite(dbDir), 'audit_log'),
      );
  } catch {
    // no database
  }
  await backend?.stop();
  await proxy?.close();
  await sandbox?.close();
});

async function snapshot() {
  const entities = {};
  for (const name of ENTITIES)
    entities[name] = await entityState(backend, name);
  return entities;
}

/** The sync status of each target, from the environments API. */
function statuses(snap) {
  return TARGETS.map(([entity, provider, target]) => {
    const status = snap[entity].sync.find(
      s => s.provider === provider && s.target === target,
    );
    return { entity, provider, target, status };
  });
}

const after_ = (time, iso) => iso !== undefined && Date.parse(iso) > time;

/** Waits until every target's status passes `ok`; returns the snapshot. */
function until(what, ok, timeoutMs = 60_000) {
  return eventually(
    what,
    async () => {
      const snap = await snapshot();
      return statuses(snap).every(ok) ? snap : undefined;
    },
    timeoutMs,
    250,
  );
}

/**
 * What the sandbox's world holds of the two entities' deployments: each
 * GitHub deployment of payments-api with its number of statuses, each
 * Deploy-* stage of ledger-worker's CodePipeline executions with its status.
 */
function world() {
  const { world: w, aws } = sandbox.simulation;
  const repo = w.repositories.find(r => r.name === 'payments-api');
  const pipeline = aws.cloud.pipelines.find(p => p.name === 'ledger-worker');
  return {
    'payments-api': new Set(
      repo.deployments.map(d => `${d.id}:${d.statuses.length}`),
    ),
    'ledger-worker': new Set(
      pipeline.executions.flatMap(e =>
        e.stages
          .filter(st => st.name.startsWith('Deploy-'))
          .map(st => `${e.id}:${st.name}:${st.status}`),
      ),
    ),
  };
}

/** Ticks the sandbox until each entity has a deployment or a status it did not have. */
function moveWorld() {
  const before_ = world();
  for (let i = 0; i < 5000; i++) {
    sandbox.tick();
    sandbox.react();
    const now = world();
    if (ENTITIES.every(e => [...now[e]].some(x => !before_[e].has(x))))
      return i + 1;
  }
  throw new Error('the sandbox did not move both entities in 5000 ticks');
}

const secretValues = () => Object.entries(runSecrets());

test('a faulted provider keeps the last state, reports it stale without a secret, and the next poll recovers', async () => {
  const started = Date.now();
  let good = await until(
    'the first good sync of every target',
    ({ status }) => status && status.lastSuccessAt && !status.stale,
    120_000,
  );
  const report = [];
  for (const [githubMode, awsMode, githubReason, awsReason, scope] of MATRIX) {
    const label = `${githubMode}/${awsMode}${scope ? ' (some calls)' : ''}`;
    const cycle = Date.now();
    const kept = Object.fromEntries(ENTITIES.map(e => [e, good[e].state]));
    // Between two polls (a poll under way would be half faulted and cost a
    // second faulted one), and in one JavaScript turn: the world moves and
    // the providers fail, so no poll can have seen the new world.
    await eventually(
      'the sync to be between two polls',
      async () => (await syncTask(backend))?.taskState?.status === 'idle',
      30_000,
      100,
    );
    const faultAt = Date.now();
    const ticks = moveWorld();
    proxy.set({ github: githubMode, aws: awsMode }, scope);

    const faulted = await until(
      `every target to be stale after ${label}`,
      ({ status }) => status?.stale && after_(faultAt, status.lastErrorAt),
    );
    const faultedMs = Date.now() - faultAt;
    if (scope) {
      for (const provider of ['github', 'aws']) {
        assert.ok(
          proxy.seen.passed[provider] > 0 && proxy.seen.faulted[provider] > 0,
          `${label}: ${provider}'s faulted syncs were answered in part (${proxy.seen.passed[provider]} requests passed, ${proxy.seen.faulted[provider]} faulted)`,
        );
      }
    }
    for (const name of ENTITIES) {
      assert.deepEqual(
        faulted[name].state,
        kept[name],
        `${name}: the faulted polls (${label}) keep the last state`,
      );
    }
    for (const { entity, provider, status } of statuses(faulted)) {
      const reason = status.lastError ?? '';
      assert.match(
        reason,
        provider === 'github' ? githubReason : awsReason,
        `${entity} from ${provider}: the reason names the fault (${label}): ${reason}`,
      );
      assert.ok(
        status.lastSuccessAt &&
          Date.parse(status.lastSuccessAt) < faultAt &&
          Date.parse(status.lastErrorAt) >= Date.parse(status.lastSuccessAt),
        `${entity} from ${provider}: the last success before the fault is still reported (${status.lastSuccessAt}, failed ${status.lastErrorAt})`,
      );
      for (const [name, value] of secretValues()) {
        assert.ok(
          !JSON.stringify(faulted[entity].sync).includes(value),
          `${entity} from ${provider}: the sync status carries the ${name}`,
        );
      }
    }

    const clearedAt = Date.now();
    proxy.set({ github: 'pass', aws: 'pass' });
    good = await until(
      `every target to be fresh after ${label} ended`,
      ({ status }) =>
        status && !status.stale && after_(clearedAt, status.lastSuccessAt),
    );
    const recoveredMs = Date.now() - clearedAt;
    for (const name of ENTITIES) {
      assert.notDeepEqual(
        good[name].state,
        kept[name],
        `${name}: the first poll after ${label} brings the moved world in`,
      );
    }
    report.push(
      `${label}: ${ticks} ticks, stale after ${(faultedMs / 1000).toFixed(
        1,
      )} s, fresh ${(recoveredMs / 1000).toFixed(1)} s after (${(
        (Date.now() - cycle) /
        1000
      ).toFixed(1)} s)`,
    );
    console.log(`[faults] ${report[report.length - 1]}`);
    console.log(
      `[faults]   reasons: ${statuses(faulted)
        .map(s => `${s.provider}: ${s.status.lastError}`)
        .join(' | ')}`,
    );
  }
  console.log(
    `[faults] matrix done in ${Math.round((Date.now() - started) / 1000)} s`,
  );
});
