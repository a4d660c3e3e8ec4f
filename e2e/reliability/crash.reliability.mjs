// SIGKILL of the real demo backend (production mode, PostgreSQL) in the
// middle of a large ingest, and a restart on the same database.
//
// 1. The backend knows payments-api only; its first sync stores its history
//    and a user promotes it (an audit row and a promotion request).
// 2. Restarted with two more services (catalog-search and checkout-bff, about
//    1,200 deployments and 4,000 statuses of history the sync backfills), it
//    is killed with SIGKILL while the sync's transaction writing deployments
//    is open (PostgreSQL shows it holding its lock on deployment_statuses).
// 3. What the kill left: a target's report is written in one transaction
//    (upsertDeployments: deployments, their statuses and versions), so each
//    target has either all the deployments the sandbox served or none, every
//    deployment has its statuses and its version, and a target the sync
//    recorded as done has all of them.
// 4. Restarted once the killed run's lock of the scheduled task has expired,
//    the sync resumes: targets with a cursor continue from it (no GraphQL
//    backfill), the others backfill; the ledger ends with every deployment
//    the sandbox has, once, with its statuses; the promotion is still there.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  call,
  catalogOf,
  createPgDatabase,
  entityState,
  eventually,
  keepAuditRows,
  NO_PG,
  pgAvailable,
  sleep,
  startBackend,
  startFaultProxy,
  startSandbox,
} from './harness.mjs';

const PORT = Number(process.env.RELIABILITY_PORT ?? 7307) + 6;
const FIRST = ['payments-api'];
const BIG = ['catalog-search', 'checkout-bff'];
const ALL = [...FIRST, ...BIG];
const SCHEDULE = { frequency: 'PT3S', timeout: 'PT25S', initialDelay: 'PT1S' };

let db;
let sandbox;
let proxy;
let backend;

const PG_UP = await pgAvailable();
if (!PG_UP)
  console.log(`[${import.meta.filename.split('/').pop()}] skipped: ${NO_PG}`);

before(async () => {
  if (!PG_UP) return;
  db = await createPgDatabase('crash');
  sandbox = await startSandbox({ seed: 42 });
  proxy = await startFaultProxy(sandbox.url);
});

after(async () => {
  if (!PG_UP) return;
  try {
    keepAuditRows('crash', await db.rows('audit_log'));
  } catch {
    // no database
  }
  await backend?.stop();
  await proxy?.close();
  await sandbox?.close();
  await db?.drop();
});

const start = (components, label) =>
  startBackend({
    name: `crash-${label}`,
    port: PORT,
    database: db.config,
    providerUrl: proxy.url,
    sandboxUrl: sandbox.url,
    // payments-api's location stays the same throughout: a location that
    // changed would drop its entities for a moment (and the sync their
    // targets and cursors); the big services come in a location of their own.
    catalogFile: [
      catalogOf('crash-first', FIRST),
      ...(components.length > FIRST.length
        ? [catalogOf('crash-big', BIG)]
        : []),
    ],
    waitFor: components,
    ownership: true,
    schedule: SCHEDULE,
  });

const ref = name => `component:default/${name}`;
const repoOf = name =>
  sandbox.simulation.world.repositories.find(r => r.name === name);

async function syncStates() {
  return db.query(
    "SELECT entity_ref, target_key, cursor, last_success_at FROM deployments.sync_state WHERE provider = 'github'",
  );
}

/** The ledger's GitHub deployments of an entity, each with its number of statuses and whether its version is stored. */
async function ledgerOf(name) {
  return db.query(
    `SELECT d.provider_deployment_id AS id,
            (SELECT COUNT(*) FROM deployments.deployment_statuses s WHERE s.deployment_id = d.id)::int AS statuses,
            EXISTS (SELECT 1 FROM deployments.versions v WHERE v.entity_ref = d.entity_ref AND v.sha = d.sha) AS versioned
       FROM deployments.deployments d
      WHERE d.entity_ref = $1 AND d.provider = 'github'`,
    [ref(name)],
  );
}

/**
 * The invariants a crash may not break, per entity: all of the sandbox's
 * deployments or none (all when the sync recorded the target as done), each
 * once, each with statuses and its version. Returns the statuses per
 * deployment, to compare with what a complete sync stores.
 */
async function checkLedger(when, { complete = false } = {}) {
  const states = await syncStates();
  const summary = {};
  const statuses = new Map();
  for (const name of ALL) {
    const rows = await ledgerOf(name);
    const served = new Set(repoOf(name).deployments.map(d => String(d.id)));
    const done = states.some(
      s => s.entity_ref === ref(name) && s.last_success_at,
    );
    summary[name] = { rows: rows.length, served: served.size, done };
    assert.equal(
      new Set(rows.map(r => r.id)).size,
      rows.length,
      `${when}: ${name} has each deployment once`,
    );
    assert.ok(
      rows.length === 0 || rows.length === served.size,
      `${when}: ${name} has all ${served.size} deployments or none, not ${rows.length}`,
    );
    if (done || complete) {
      assert.equal(
        rows.length,
        served.size,
        `${when}: ${name} is recorded as synced and has all its deployments`,
      );
    }
    for (const row of rows) {
      assert.ok(
        served.has(row.id),
        `${when}: ${name} deployment ${row.id} is one GitHub has`,
      );
      assert.ok(
        row.statuses >= 1,
        `${when}: ${name} deployment ${row.id} has statuses`,
      );
      assert.ok(
        row.versioned,
        `${when}: ${name} deployment ${row.id} has its version`,
      );
      statuses.set(`${name} ${row.id}`, row.statuses);
    }
  }
  return { summary, statuses };
}

test(
  'a SIGKILL in the middle of a large ingest leaves no partial deployment; the restarted sync resumes from its cursors',
  { skip: !PG_UP && NO_PG },
  async () => {
    // 1. payments-api synced, then promoted by the guest (who owns it).
    backend = await start(FIRST, 'first');
    await eventually(
      'the first sync of payments-api',
      async () =>
        (
          await entityState(backend, 'payments-api')
        ).sync.some(s => s.lastSuccessAt),
      120_000,
      500,
    );
    const promote = await call(
      `${backend.api}/entities/component/default/payments-api/promote`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${backend.token}`,
          'content-type': 'application/json',
          'idempotency-key': `crash-promote-${Date.now()}`,
        },
        body: JSON.stringify({
          environment: 'production',
          comment: 'promoted before the crash',
        }),
      },
      'crash promote',
    );
    console.log(
      `[crash] promote before the crash: ${promote.status} ${
        promote.json?.request?.state ?? promote.json?.error?.message ?? ''
      }`,
    );
    assert.ok(
      promote.status < 500,
      `the promotion was answered (${promote.status})`,
    );
    const recorded = {
      audit: (await db.rows('audit_log')).filter(
        r => r.comment === 'promoted before the crash',
      ),
      requests: (await db.rows('promotion_requests')).filter(
        r => r.entity_ref === ref('payments-api'),
      ),
    };
    assert.ok(recorded.audit.length >= 1, 'the promotion is audited');
    await backend.stop();

    // 2. With the two big services: killed while a write transaction is open.
    backend = await start(ALL, 'big');
    const restartedAt = Date.now();
    let open;
    await eventually(
      'the sync to write the backfill of a big service',
      async () => {
        const locks = await db.query(
          `SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'deployments' AND c.relname = 'deployment_statuses'
            AND l.mode = 'RowExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid()`,
        );
        if (locks.length === 0) return undefined;
        // Only a backfill's write: the big services' history has been read.
        const pages = proxy.seen.log.filter(
          r =>
            r.at >= restartedAt &&
            r.path.startsWith('/api/graphql') &&
            BIG.includes(r.repository),
        ).length;
        if (pages < 5) return undefined;
        open = locks;
        await backend.stop('SIGKILL');
        return true;
      },
      90_000,
      5,
    );
    const killedAt = Date.now();
    console.log(
      `[crash] killed ${((killedAt - restartedAt) / 1000).toFixed(
        1,
      )} s after the restart, a transaction writing deployment statuses open (pid ${open
        .map(l => l.pid)
        .join(', ')})`,
    );
    const [task] = await db.query(
      "SELECT current_run_ticket AS ticket, current_run_expires_at AS expires FROM deployments.backstage_backend_tasks__tasks WHERE id = 'deployments-sync'",
    );
    assert.ok(task.ticket, 'the killed run still holds the sync task');

    // 3. What the kill left.
    await eventually(
      'PostgreSQL to end the killed connections',
      async () =>
        (
          await db.query(
            "SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'backstage_plugin_deployments'",
          )
        )[0].n === 0,
      30_000,
      100,
    );
    const { summary: atKill, statuses: statusesAtKill } = await checkLedger(
      'after the kill',
    );
    const cursorsAtKill = (await syncStates()).filter(s => s.cursor);
    console.log(
      `[crash] after the kill: ${Object.entries(atKill)
        .map(
          ([n, s]) =>
            `${n} ${s.rows}/${s.served} deployments${s.done ? ', done' : ''}`,
        )
        .join('; ')}`,
    );
    assert.ok(
      BIG.some(n => !atKill[n].done),
      'the kill interrupted the backfill of a big service',
    );
    const audit = (await db.rows('audit_log')).filter(
      r => r.comment === 'promoted before the crash',
    );
    assert.deepEqual(
      audit.map(r => r.id),
      recorded.audit.map(r => r.id),
      'the promotion audited before the crash is still there',
    );

    // 4. Restart once the killed run's claim of the task has expired.
    const wait = new Date(task.expires).getTime() - Date.now();
    console.log(
      `[crash] the killed run's lock expires in ${(
        Math.max(0, wait) / 1000
      ).toFixed(1)} s`,
    );
    if (wait > 0) await sleep(wait + 500);
    const resumedAt = Date.now();
    backend = await start(ALL, 'resumed');
    await eventually(
      'every service to be synced after the restart',
      async () => {
        const states = await syncStates();
        return ALL.every(n =>
          states.some(
            s =>
              s.entity_ref === ref(n) &&
              s.last_success_at &&
              new Date(s.last_success_at).getTime() > resumedAt,
          ),
        );
      },
      120_000,
      500,
    );
    console.log(
      `[crash] resumed: every service synced ${(
        (Date.now() - resumedAt) /
        1000
      ).toFixed(1)} s after the second restart began`,
    );
    const backfilled = new Set(
      proxy.seen.log
        .filter(r => r.at >= resumedAt && r.path.startsWith('/api/graphql'))
        .map(r => r.repository),
    );
    for (const name of ALL) {
      const hadCursor = cursorsAtKill.some(s => s.entity_ref === ref(name));
      assert.equal(
        backfilled.has(name),
        !hadCursor,
        hadCursor
          ? `${name} had a cursor at the kill: the restarted sync continues from it, without a backfill`
          : `${name} had no cursor at the kill: the restarted sync backfills it`,
      );
    }
    const { summary: resumed, statuses: statusesResumed } = await checkLedger(
      'after the restart',
      { complete: true },
    );
    // What the kill left of a deployment is what a complete sync stores (the
    // sandbox did not move): no deployment was left with part of its statuses.
    const differ = [...statusesAtKill].filter(
      ([key, n]) => statusesResumed.get(key) !== n,
    );
    assert.deepEqual(
      differ.map(([key, n]) => `${key}: ${n} → ${statusesResumed.get(key)}`),
      [],
      'every deployment left by the kill had all the statuses a complete sync stores',
    );
    console.log(
      `[crash] after the restart: ${Object.entries(resumed)
        .map(([n, s]) => `${n} ${s.rows}/${s.served}`)
        .join('; ')}`,
    );
    const promotions = await call(
      `${backend.api}/entities/component/default/payments-api/audit`,
      { headers: { authorization: `Bearer ${backend.token}` } },
      'crash audit',
    );
    assert.ok(
      JSON.stringify(promotions.json).includes('promoted before the crash'),
      'the audit API still shows the promotion',
    );
    assert.deepEqual(
      (await db.rows('promotion_requests'))
        .filter(r => r.entity_ref === ref('payments-api'))
        .map(r => r.id)
        .sort(),
      recorded.requests.map(r => r.id).sort(),
      'the promotion requests from before the crash are all there',
    );
  },
);
