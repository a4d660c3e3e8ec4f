/*
 * Store v2, for the provider model v2 (targets, artifacts, traffic,
 * verification, environment protection, retention).
 *
 * Applies over a database holding v1 rows, on SQLite and PostgreSQL:
 * - deployments become unique per entity, so two entities sharing a
 *   repository each keep their own rows; v1 rows are kept as they are;
 * - gates and targets are rebuilt with their new keys, copying v1 rows;
 * - v1 sync cursors are dropped: they were kept per entity and provider, v2
 *   keeps them per target, and a sync without a cursor is a backfill, which
 *   is idempotent (it merges into what is stored and changes nothing).
 *
 * Tables whose primary key changes are rebuilt (create, copy, drop, rename),
 * because SQLite cannot alter a primary key in place.
 */

// @ts-check

/** Version keys of artifacts without a known commit (`artifact:<kind>:<id>`) are longer than a SHA. */
const VERSION_KEY_LENGTH = 255;

/** Tables that record a version and are kept (not rebuilt) by this migration. */
const VERSION_TABLES = [
  'deployments',
  'versions',
  'promotion_requests',
  'audit_log',
];

/** @param {import('knex').Knex} knex */
const isPostgres = knex => knex.client.config.client === 'pg';

/** @param {import('knex').Knex.CreateTableBuilder} table */
const artifactColumns = table => {
  table
    .text('artifact')
    .comment('JSON Artifact, when the provider reports one');
  table
    .boolean('commit_unknown')
    .notNullable()
    .defaultTo(false)
    .comment('True when sha is an artifact:<kind>:<id> key, not a commit');
};

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  // --- versions: artifacts, and keys for versions without a commit -------
  for (const name of VERSION_TABLES) {
    if (isPostgres(knex)) {
      // Widening a varchar is a catalog change on PostgreSQL, no rewrite.
      await knex.raw(
        `ALTER TABLE ?? ALTER COLUMN sha TYPE varchar(${VERSION_KEY_LENGTH})`,
        [name],
      );
    }
    // SQLite does not enforce varchar lengths.
    await knex.schema.alterTable(name, artifactColumns);
  }

  // --- deployments: unique per entity, and the v2 facts ------------------
  await knex.schema.alterTable('deployments', table => {
    table.text('strategy_name');
    table.text('strategy_steps').comment('JSON DeploymentStrategyStep[]');
    table.integer('strategy_current_step');
    table
      .text('checks')
      .comment('JSON VerificationCheck[], as the latest report gave them');
    table.text('rollback_info').comment('JSON RollbackInfo');
    table.text('url_label');
    table.dropUnique(
      ['provider', 'provider_deployment_id'],
      'deployments_provider_key_uniq',
    );
    // v1 rows are unique by (provider, id), so they are unique by this too.
    table.unique(['entity_ref', 'provider', 'provider_deployment_id'], {
      indexName: 'deployments_entity_key_uniq',
    });
    // Retention: finished deployments older than a cutoff.
    table.index(['created_at'], 'deployments_created_idx');
  });

  // A second provider's report of a rollout that the environment's owner
  // deployed, joined to the owner's deployment by entity, environment and sha.
  await knex.schema.createTable('deployment_links', table => {
    table.comment('Other providers\u2019 reports of the same rollouts');
    table.string('entity_ref', 255).notNullable();
    table.string('provider', 64).notNullable();
    table.text('provider_deployment_id').notNullable();
    table.string('environment', 64).notNullable();
    table.string('sha', VERSION_KEY_LENGTH).notNullable();
    table.text('url');
    table.text('label');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(
      ['entity_ref', 'provider', 'provider_deployment_id'],
      'deployment_links_pk',
    );
    // Filling Deployment.links of the deployments a page shows.
    table.index(
      ['entity_ref', 'sha', 'environment'],
      'deployment_links_rollout_idx',
    );
  });

  // --- provider gates: per entity, with their target ---------------------
  await knex.schema.createTable('provider_gates_v2', table => {
    table.comment('Gates that providers report as open');
    table.string('entity_ref', 255).notNullable();
    table.string('provider', 64).notNullable();
    table.text('provider_gate_id').notNullable();
    table
      .text('target_key')
      .notNullable()
      .defaultTo('')
      .comment("The target that reported the gate; '' for gates from v1");
    table.string('environment', 64).notNullable();
    table.string('sha', VERSION_KEY_LENGTH).notNullable();
    table.text('tag');
    table.text('message');
    table.text('version_url');
    artifactColumns(table);
    table.text('reviewers').notNullable().comment('JSON array of GateReviewer');
    table.timestamp('since', { useTz: true }).notNullable();
    table.string('gate_type', 32);
    table.timestamp('expires_at', { useTz: true });
    table.integer('wait_timer_minutes');
    table.text('requested_by');
    table.text('url');
    table
      .text('details')
      .comment('JSON object the provider needs to act on the gate');
    // Also serves the gates of one entity, and of one entity and provider.
    table.primary(
      ['entity_ref', 'provider', 'provider_gate_id'],
      'provider_gates_entity_key_pk',
    );
    // The approvals page: open gates across entities, oldest first.
    table.index(['since'], 'provider_gates_since_idx');
  });
  // A v1 gate's target is the entity's only v1 target of that provider, when
  // it had one; otherwise '' (the first sync of any target replaces it).
  await knex.raw(`
    INSERT INTO provider_gates_v2 (
      entity_ref, provider, provider_gate_id, target_key, environment, sha,
      tag, message, version_url, reviewers, since, wait_timer_minutes,
      requested_by, url, details)
    SELECT g.entity_ref, g.provider, g.provider_gate_id,
      CASE WHEN (SELECT COUNT(*) FROM provider_targets t
                 WHERE t.provider = g.provider AND t.entity_ref = g.entity_ref) = 1
           THEN (SELECT MIN(t.target_key) FROM provider_targets t
                 WHERE t.provider = g.provider AND t.entity_ref = g.entity_ref)
           ELSE '' END,
      g.environment, g.sha, g.tag, g.message, g.version_url, g.reviewers,
      g.since, g.wait_timer_minutes, g.requested_by, g.url, g.details
    FROM provider_gates g`);
  await knex.schema.dropTable('provider_gates');
  await knex.schema.renameTable('provider_gates_v2', 'provider_gates');

  // --- provider targets: what sync found per entity and target -----------
  await knex.schema.createTable('provider_targets_v2', table => {
    table.comment('Targets of entities per provider, as sync last found them');
    table.string('entity_ref', 255).notNullable();
    table.string('provider', 64).notNullable();
    table.text('target_key').notNullable();
    table
      .text('routing_keys')
      .notNullable()
      .comment('JSON string[]; looked up through provider_target_routes');
    table
      .text('environments')
      .notNullable()
      .comment('JSON: "all" or a string[] of environment names');
    table.text('environment_names').comment('JSON Record<string, string>');
    table.boolean('change_source');
    table.text('settings').comment('JSON Record<string, string>');
    table.timestamp('updated_at', { useTz: true }).notNullable();
    // Also serves every target of an entity.
    table.primary(
      ['entity_ref', 'provider', 'target_key'],
      'provider_targets_entity_pk',
    );
    // Replacing all targets of a provider.
    table.index(['provider'], 'provider_targets_provider_idx');
  });
  // Routing keys one per row, so a webhook's key is an index look-up.
  await knex.schema.createTable('provider_target_routes', table => {
    table.comment('Routing keys of provider targets, for routing webhooks');
    table.string('provider', 64).notNullable();
    table.text('routing_key').notNullable();
    table.string('entity_ref', 255).notNullable();
    table.text('target_key').notNullable();
    table.primary(
      ['provider', 'routing_key', 'entity_ref', 'target_key'],
      'provider_target_routes_pk',
    );
    table.index(
      ['entity_ref', 'provider'],
      'provider_target_routes_entity_idx',
    );
  });
  // v1 targets were routing keys of whole entities: they become targets
  // covering all environments, routed by their key, until sync replaces them.
  const now = new Date();
  const v1Targets = await knex('provider_targets').select(
    'provider',
    'target_key',
    'entity_ref',
  );
  for (let i = 0; i < v1Targets.length; i += 100) {
    const batch = v1Targets.slice(i, i + 100);
    await knex('provider_targets_v2').insert(
      batch.map(t => ({
        entity_ref: t.entity_ref,
        provider: t.provider,
        target_key: t.target_key,
        routing_keys: JSON.stringify([t.target_key]),
        environments: JSON.stringify('all'),
        updated_at: now,
      })),
    );
    await knex('provider_target_routes').insert(
      batch.map(t => ({
        provider: t.provider,
        routing_key: t.target_key,
        entity_ref: t.entity_ref,
        target_key: t.target_key,
      })),
    );
  }
  await knex.schema.dropTable('provider_targets');
  await knex.schema.renameTable('provider_targets_v2', 'provider_targets');

  // --- sync state per target (v1 cursors dropped, see the top) -----------
  await knex.schema.dropTable('sync_state');
  await knex.schema.createTable('sync_state', table => {
    table.comment('Where each sync of each target of each entity stands');
    table.string('entity_ref', 255).notNullable();
    table.string('provider', 64).notNullable();
    table.text('target_key').notNullable();
    table.text('cursor');
    table.timestamp('last_success_at', { useTz: true });
    table.timestamp('last_attempt_at', { useTz: true });
    table.text('last_error');
    table.timestamp('last_error_at', { useTz: true });
    // Also serves the sync status of an entity.
    table.primary(
      ['entity_ref', 'provider', 'target_key'],
      'sync_state_target_pk',
    );
  });

  // --- stored provider facts about environments ---------------------------
  await knex.schema.createTable('environment_protection', table => {
    table.comment('Protection of environments as providers configure it');
    table.string('entity_ref', 255).notNullable();
    table.string('provider', 64).notNullable();
    table.text('target_key').notNullable();
    table.string('environment', 64).notNullable();
    table
      .text('required_reviewers')
      .notNullable()
      .comment('JSON array of GateReviewer');
    table.integer('wait_timer_minutes');
    table.text('url');
    table.timestamp('updated_at', { useTz: true }).notNullable();
    // Also serves the protection of an entity, and replacing one target's.
    table.primary(
      ['entity_ref', 'provider', 'target_key', 'environment'],
      'environment_protection_pk',
    );
  });

  await knex.schema.createTable('environment_traffic', table => {
    table.comment('Versions serving each environment, as providers report');
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    table.string('provider', 64).notNullable();
    table.text('shares').notNullable().comment('JSON TrafficShare[]');
    table.timestamp('at', { useTz: true }).notNullable();
    // Also serves the traffic of an entity.
    table.primary(['entity_ref', 'environment'], 'environment_traffic_pk');
  });

  // --- retention: one index per prune ------------------------------------
  await knex.schema.alterTable('idempotency_keys', table => {
    table.index(['updated_at'], 'idempotency_keys_updated_idx');
  });
  await knex.schema.alterTable('diff_cache', table => {
    table.index(['created_at'], 'diff_cache_created_idx');
  });
  await knex.schema.alterTable('audit_log', table => {
    table.index(['at', 'id'], 'audit_log_at_idx');
  });
  // webhook_deliveries_received_idx (v1) serves the deliveries' prune.
};

/**
 * Back to v1. Loses what v1 cannot hold: v2 facts (links, traffic,
 * protection, artifacts, checks), versions without a known commit, and all
 * but one of the rows that two entities shared (v1 was unique by provider
 * and id; the oldest row is kept).
 *
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('audit_log', table =>
    table.dropIndex(['at', 'id'], 'audit_log_at_idx'),
  );
  await knex.schema.alterTable('diff_cache', table =>
    table.dropIndex(['created_at'], 'diff_cache_created_idx'),
  );
  await knex.schema.alterTable('idempotency_keys', table =>
    table.dropIndex(['updated_at'], 'idempotency_keys_updated_idx'),
  );
  await knex.schema.dropTable('environment_traffic');
  await knex.schema.dropTable('environment_protection');

  await knex.schema.dropTable('sync_state');
  await knex.schema.createTable('sync_state', table => {
    table.string('entity_ref', 255).notNullable();
    table.string('provider', 64).notNullable();
    table.text('cursor');
    table.timestamp('last_success_at', { useTz: true });
    table.timestamp('last_attempt_at', { useTz: true });
    table.text('last_error');
    table.timestamp('last_error_at', { useTz: true });
    table.primary(['entity_ref', 'provider'], 'sync_state_pk');
  });

  await knex.schema.createTable('provider_targets_v1', table => {
    table.string('provider', 64).notNullable();
    table.text('target_key').notNullable();
    table.string('entity_ref', 255).notNullable();
    table.primary(
      ['provider', 'target_key', 'entity_ref'],
      'provider_targets_pk',
    );
  });
  await knex.raw(`
    INSERT INTO provider_targets_v1 (provider, target_key, entity_ref)
    SELECT DISTINCT provider, routing_key, entity_ref FROM provider_target_routes`);
  await knex.schema.dropTable('provider_target_routes');
  await knex.schema.dropTable('provider_targets');
  await knex.schema.renameTable('provider_targets_v1', 'provider_targets');

  await knex.schema.createTable('provider_gates_v1', table => {
    table.string('provider', 64).notNullable();
    table.text('provider_gate_id').notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    table.string('sha', 64).notNullable();
    table.text('tag');
    table.text('message');
    table.text('version_url');
    table.text('reviewers').notNullable();
    table.timestamp('since', { useTz: true }).notNullable();
    table.integer('wait_timer_minutes');
    table.text('requested_by');
    table.text('url');
    table.text('details');
    table.primary(['provider', 'provider_gate_id'], 'provider_gates_pk');
    table.index(['entity_ref'], 'provider_gates_entity_idx');
  });
  await knex.raw(
    `
    INSERT INTO provider_gates_v1 (
      provider, provider_gate_id, entity_ref, environment, sha, tag, message,
      version_url, reviewers, since, wait_timer_minutes, requested_by, url,
      details)
    SELECT provider, provider_gate_id, entity_ref, environment, sha, tag,
      message, version_url, reviewers, since, wait_timer_minutes,
      requested_by, url, details
    FROM provider_gates g
    WHERE g.commit_unknown = ?
      AND g.entity_ref = (SELECT MIN(o.entity_ref) FROM provider_gates o
        WHERE o.provider = g.provider
          AND o.provider_gate_id = g.provider_gate_id)`,
    [false],
  );
  await knex.schema.dropTable('provider_gates');
  await knex.schema.renameTable('provider_gates_v1', 'provider_gates');

  await knex.schema.dropTable('deployment_links');

  // Rows v1 cannot hold: a second entity's copy of a deployment, and
  // versions without a commit. Statuses first: SQLite may run without
  // foreign keys enforced, so the cascade is not relied on.
  const unrepresentable = knex('deployments as d')
    .select('d.id')
    .where('d.commit_unknown', true)
    .orWhereExists(
      knex('deployments as o')
        .select(knex.raw('1'))
        .whereRaw('o.provider = d.provider')
        .whereRaw('o.provider_deployment_id = d.provider_deployment_id')
        .whereRaw('o.id < d.id'),
    );
  await knex('deployment_statuses')
    .whereIn('deployment_id', unrepresentable.clone())
    .delete();
  await knex('deployments').whereIn('id', unrepresentable.clone()).delete();
  for (const name of ['versions', 'promotion_requests', 'audit_log']) {
    await knex(name).where('commit_unknown', true).delete();
  }

  await knex.schema.alterTable('deployments', table => {
    table.dropIndex(['created_at'], 'deployments_created_idx');
    table.dropUnique(
      ['entity_ref', 'provider', 'provider_deployment_id'],
      'deployments_entity_key_uniq',
    );
    table.unique(['provider', 'provider_deployment_id'], {
      indexName: 'deployments_provider_key_uniq',
    });
  });
  const dropped = {
    deployments: [
      'strategy_name',
      'strategy_steps',
      'strategy_current_step',
      'checks',
      'rollback_info',
      'url_label',
    ],
  };
  for (const name of VERSION_TABLES) {
    // Plain DROP COLUMN (SQLite 3.35+): none of these columns is indexed,
    // and no table has to be rebuilt under its foreign keys.
    for (const column of [
      ...(dropped[/** @type {'deployments'} */ (name)] ?? []),
      'artifact',
      'commit_unknown',
    ]) {
      await knex.raw('ALTER TABLE ?? DROP COLUMN ??', [name, column]);
    }
    if (isPostgres(knex)) {
      await knex.raw('ALTER TABLE ?? ALTER COLUMN sha TYPE varchar(64)', [
        name,
      ]);
    }
  }
};
