/*
 * The deployment ledger.
 *
 * Runs on SQLite (better-sqlite3) and PostgreSQL. Times are bound as
 * JavaScript Dates: PostgreSQL stores them as timestamptz, SQLite as epoch
 * milliseconds, so comparisons and ordering are numeric on both. Every read a
 * page makes has an index that serves it (see the comments per index).
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  /** @param {import('knex').Knex.CreateTableBuilder} table */
  const versionColumns = table => {
    table.string('sha', 64).notNullable();
    table.text('tag');
    table.text('message');
    table.text('version_url');
  };

  // One row per deployment attempt, keyed by the provider's own id so that
  // replayed webhooks and overlapping polls update instead of duplicating.
  await knex.schema.createTable('deployments', table => {
    table.comment('Deployment attempts reported by providers');
    table.increments('id');
    table.string('provider', 64).notNullable();
    table.text('provider_deployment_id').notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    versionColumns(table);
    table
      .string('state', 32)
      .notNullable()
      .comment('Latest status: the status with the newest time');
    table
      .timestamp('state_at', { useTz: true })
      .nullable()
      .comment('Time of the latest status; null while no status arrived');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table
      .timestamp('finished_at', { useTz: true })
      .nullable()
      .comment('Earliest final status, while the latest status is final');
    table.text('triggered_by');
    table.text('url');
    table.text('log_url');
    table.text('description');
    table.string('strategy', 32);
    table.double('traffic_percent');
    table.unique(['provider', 'provider_deployment_id'], {
      indexName: 'deployments_provider_key_uniq',
    });
    // The environments page: current (newest success) per environment.
    table.index(
      ['entity_ref', 'environment', 'state', 'created_at'],
      'deployments_current_idx',
    );
    // The environments page: newest attempt of any state per environment.
    table.index(
      ['entity_ref', 'environment', 'created_at'],
      'deployments_latest_idx',
    );
    // Timeline cells, promotion-order checks and version look-ups.
    table.index(
      ['entity_ref', 'sha', 'environment'],
      'deployments_entity_sha_idx',
    );
  });

  // Status history; the unique key makes replays merge instead of duplicate.
  await knex.schema.createTable('deployment_statuses', table => {
    table.comment('Status history of each deployment');
    table
      .integer('deployment_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('deployments')
      .onDelete('CASCADE');
    table.string('state', 32).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.text('description');
    table.text('log_url');
    table.primary(['deployment_id', 'state', 'at'], 'deployment_statuses_pk');
  });

  // The timeline's rows: each version an entity has deployed, once.
  await knex.schema.createTable('versions', table => {
    table.comment(
      'Versions an entity has deployed, with when they first appeared',
    );
    table.string('entity_ref', 255).notNullable();
    versionColumns(table);
    table.timestamp('first_seen_at', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'sha'], 'versions_pk');
    table.index(
      ['entity_ref', 'first_seen_at', 'sha'],
      'versions_timeline_idx',
    );
  });

  // Open gates of providers (a GitHub environment review, a manual approval).
  // A gate is deleted when it closes; the audit log keeps what was decided.
  await knex.schema.createTable('provider_gates', table => {
    table.comment('Gates that providers report as open');
    table.string('provider', 64).notNullable();
    table.text('provider_gate_id').notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    versionColumns(table);
    table.text('reviewers').notNullable().comment('JSON array of GateReviewer');
    table.timestamp('since', { useTz: true }).notNullable();
    table.integer('wait_timer_minutes');
    table.text('requested_by');
    table.text('url');
    table
      .text('details')
      .comment('JSON object the provider needs to act on the gate');
    table.primary(['provider', 'provider_gate_id'], 'provider_gates_pk');
    table.index(['entity_ref'], 'provider_gates_entity_idx');
  });

  // Which entities a provider target (e.g. a repository) belongs to, to route webhooks.
  await knex.schema.createTable('provider_targets', table => {
    table.comment('Provider target keys of entities, for routing webhooks');
    table.string('provider', 64).notNullable();
    table.text('target_key').notNullable();
    table.string('entity_ref', 255).notNullable();
    table.primary(
      ['provider', 'target_key', 'entity_ref'],
      'provider_targets_pk',
    );
  });

  await knex.schema.createTable('sync_state', table => {
    table.comment('Where each provider sync of each entity stands');
    table.string('entity_ref', 255).notNullable();
    table.string('provider', 64).notNullable();
    table.text('cursor');
    table.timestamp('last_success_at', { useTz: true });
    table.timestamp('last_attempt_at', { useTz: true });
    table.text('last_error');
    table.timestamp('last_error_at', { useTz: true });
    table.primary(['entity_ref', 'provider'], 'sync_state_pk');
  });

  await knex.schema.createTable('webhook_deliveries', table => {
    table.comment('Webhook deliveries seen, to drop duplicates');
    table.string('provider', 64).notNullable();
    table.string('delivery_key', 255).notNullable();
    table.timestamp('received_at', { useTz: true }).notNullable();
    table.primary(['provider', 'delivery_key'], 'webhook_deliveries_pk');
    table.index(['received_at'], 'webhook_deliveries_received_idx');
  });

  await knex.schema.createTable('diff_cache', table => {
    table.comment('Change diffs between two commits, as computed by providers');
    table.string('entity_ref', 255).notNullable();
    table.string('provider', 64).notNullable();
    table.string('from_sha', 64).notNullable();
    table.string('to_sha', 64).notNullable();
    table.text('diff').notNullable().comment('JSON ProviderComparison');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(
      ['entity_ref', 'provider', 'from_sha', 'to_sha'],
      'diff_cache_pk',
    );
  });

  await knex.schema.createTable('promotion_requests', table => {
    table.comment(
      'Promotions, approvals and roll backs asked for in the portal',
    );
    table.string('id', 36).primary().notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('action', 32).notNullable();
    table.string('environment', 64).notNullable();
    versionColumns(table);
    table.string('state', 32).notNullable();
    table.string('requested_by', 255).notNullable();
    table.timestamp('requested_at', { useTz: true }).notNullable();
    table.text('comment');
    table.string('decided_by', 255);
    table.timestamp('decided_at', { useTz: true });
    table.text('decision_comment');
    table.text('provider_reference');
    table.text('error');
    // `entity_ref|environment` while pending or running, NULL afterwards. NULLs
    // never collide, so the unique index admits one active request per slot
    // and a concurrent second one fails on both databases.
    table.string('active_slot', 330).nullable();
    table.unique(['active_slot'], {
      indexName: 'promotion_requests_active_slot_uniq',
    });
    table.index(['state', 'requested_at'], 'promotion_requests_state_idx');
    table.index(['entity_ref', 'state'], 'promotion_requests_entity_idx');
  });

  await knex.schema.createTable('idempotency_keys', table => {
    table.comment('Idempotency keys of portal actions and their responses');
    table.string('scope', 255).notNullable();
    table.string('key', 255).notNullable();
    table.string('fingerprint', 128).notNullable();
    table
      .string('status', 16)
      .notNullable()
      .comment('in-progress or completed');
    table.integer('status_code');
    table.text('response').comment('JSON response of the completed request');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(['scope', 'key'], 'idempotency_keys_pk');
  });

  // Append-only: the store has no method that updates or deletes a row here.
  await knex.schema.createTable('audit_log', table => {
    table.comment('Append-only audit log of portal actions');
    table.increments('id');
    table.timestamp('at', { useTz: true }).notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('action', 32).notNullable();
    table.string('outcome', 32).notNullable();
    table.string('actor', 255).notNullable();
    table.text('provider_identity');
    table.string('environment', 64).notNullable();
    table.string('sha', 64);
    table.text('tag');
    table.text('message');
    table.text('version_url');
    table.text('comment');
    table.string('request_id', 36);
    table.text('detail');
    table.index(['entity_ref', 'at', 'id'], 'audit_log_entity_at_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  for (const table of [
    'audit_log',
    'idempotency_keys',
    'promotion_requests',
    'diff_cache',
    'webhook_deliveries',
    'sync_state',
    'provider_targets',
    'provider_gates',
    'versions',
    'deployment_statuses',
    'deployments',
  ]) {
    await knex.schema.dropTable(table);
  }
};
